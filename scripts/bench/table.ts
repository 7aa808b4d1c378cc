// Plain-text tables for the bench's report, and the number formats it uses. Pure.

/** Columns padded to their widest cell; the first column left-aligned, the others right-aligned. */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, col) => Math.max(...all.map((row) => (row[col] ?? '').length)));
  const line = (row: readonly string[]) =>
    widths
      .map((width, col) => {
        const cell = row[col] ?? '';
        return col === 0 ? cell.padEnd(width) : cell.padStart(width);
      })
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/** A number with `digits` decimals, or `–` when there is none. */
export function fmt(value: number | undefined, digits = 1, unit = ''): string {
  if (value === undefined || !Number.isFinite(value)) return '–';
  return `${value.toFixed(digits)}${unit}`;
}

/** A ratio as `2.65×`. */
export function times(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? '–' : `${value.toFixed(2)}×`;
}

/** A fraction as a percentage, `38%`. */
export function pct(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? '–' : `${Math.round(value * 100)}%`;
}
