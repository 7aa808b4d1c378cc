// Messages about bad input: the InputError every rule throws (the API's exception name, the field at fault,
// a message that names both the field and the rule), and the helpers that quote values and suggest fields.
// Pure and workflow-safe.

export type InputErrorType = 'InvalidParameterValue' | 'InvalidParameterCombination';

/** Bad input: `type` is the failure type (an exception name of the API), `field` the input field at fault. */
export class InputError extends Error {
  override readonly name: InputErrorType;
  readonly type: InputErrorType;
  readonly field: string;

  constructor(type: InputErrorType, field: string, message: string) {
    super(message);
    this.name = type;
    this.type = type;
    this.field = field;
  }
}

export const invalidValue = (field: string, message: string) =>
  new InputError('InvalidParameterValue', field, message);
export const invalidCombination = (field: string, message: string) =>
  new InputError('InvalidParameterCombination', field, message);

/** The value at `path` inside `input`, or undefined (for messages that quote what was given). */
export function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const part of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[part];
  }
  return value;
}

/** A short rendering of a value for messages. */
export function show(value: unknown): string {
  let text: string;
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') text = typeof value;
  else if (typeof value === 'bigint') text = `${value}n`;
  else if (typeof value === 'number' && !Number.isFinite(value)) text = `${value}`;
  else {
    try {
      text = JSON.stringify(value);
    } catch {
      text = Array.isArray(value) ? 'an array' : 'an object';
    }
  }
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** The known field closest to an unknown one, when it looks like a typo of it. */
export function closest(unknown: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance =
      candidate.toLowerCase() === unknown.toLowerCase()
        ? 0
        : editDistance(unknown.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(unknown.length / 4)) ? best : undefined;
}
