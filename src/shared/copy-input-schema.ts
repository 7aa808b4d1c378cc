// The copy input's structural shape (zod): which fields exist, their types and ranges. The first problem
// becomes an InputError naming the field (unknown fields first, with the closest known one). The domain rules
// are validation.ts's. Workflow-safe.
import { z } from 'zod';
import { HIGHEST_PRIORITY, LOWEST_PRIORITY } from './priority';
import { retentionRulesSchema } from './retention-rules';
import { invalidValue, show, type InputError } from './messages';
import { zodProblems } from './zod-problems';
import { restoreOptionsShape, sqlCheckSchema } from './verify-input';

// The workflow sandbox must not rely on `new Function` (zod's JIT object parser).
z.config({ jitless: true });

const requiredString = z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' });
const optionalString = z
  .string({ error: 'must be a string (or be left out)' })
  .min(1, { error: 'must not be empty (leave the field out instead)' })
  .optional();

function integer(min: number, max?: number) {
  const rule =
    max === undefined ? `must be an integer of at least ${min}` : `must be an integer from ${min} to ${max}`;
  const schema = z.int({ error: rule }).min(min, { error: rule });
  return max === undefined ? schema : schema.max(max, { error: rule });
}

const tagSchema = z.strictObject(
  {
    Key: z.string({ error: 'must be a string' }),
    Value: z.string({ error: 'must be a string (use "" for an empty value)' }),
  },
  { error: 'must be an object with Key and Value' },
);
const tagsSchema = z.array(tagSchema, { error: 'must be an array of { Key, Value } objects' });

const optionsSchema = z.strictObject(
  {
    minPollSeconds: integer(1).optional(),
    maxPollSeconds: integer(1).optional(),
    followInActivitySeconds: integer(0, 300).optional(),
    deadlineSeconds: integer(60).optional(),
    pruneOnQuota: z.boolean({ error: 'must be true or false' }).optional(),
    keep: integer(0).optional(),
    onCancelAfterAvailable: z.enum(['keep', 'delete'], { error: 'must be "keep" or "delete"' }).optional(),
    slotWaitSeconds: integer(1).optional(),
    pollsPerRun: integer(10, 5000).optional(),
    retain: integer(1).optional(),
    retention: retentionRulesSchema().optional(),
    priority: integer(HIGHEST_PRIORITY, LOWEST_PRIORITY).optional(),
    externalId: optionalString,
    shareKmsKeyId: optionalString,
    verify: z
      .union([z.literal(true), z.strictObject(restoreOptionsShape())], {
        error: 'must be true or an object of restore-test options',
      })
      .optional(),
  },
  { error: 'must be an object' },
);

const inputSchema = z.strictObject(
  {
    SourceDBClusterSnapshotIdentifier: optionalString,
    SourceDBClusterIdentifier: optionalString,
    TargetDBClusterSnapshotIdentifier: requiredString,
    KmsKeyId: optionalString,
    CopyTags: z.boolean({ error: 'must be true or false' }).optional(),
    Tags: tagsSchema.optional(),
    SourceRegion: optionalString,
    TargetRegion: requiredString,
    PreSignedUrl: optionalString,
    SourceRoleArn: optionalString,
    TargetRoleArn: optionalString,
    options: optionsSchema.optional(),
  },
  { error: 'must be an object' },
);

/** The input's fields and its options' fields, as the schema knows them. */
export const INPUT_FIELDS = Object.keys(inputSchema.shape);
export const OPTION_FIELDS = Object.keys(optionsSchema.shape);

function fieldName(path: readonly PropertyKey[], root: string): string {
  let name = root;
  for (const part of path) {
    if (typeof part === 'number') name += `[${part}]`;
    else name = name === '' ? String(part) : `${name}.${String(part)}`;
  }
  return name === '' ? 'input' : name;
}

function knownFieldsAt(path: readonly PropertyKey[]): readonly string[] {
  if (path.length === 0) return INPUT_FIELDS;
  if (path.length === 1 && path[0] === 'options') return OPTION_FIELDS;
  if (path[0] === 'options' && path[1] === 'verify') {
    return path[2] === 'check' ? Object.keys(sqlCheckSchema().shape) : Object.keys(restoreOptionsShape());
  }
  return ['Key', 'Value'];
}

/** The schema's first problem (unknown fields first), worded as an InputError that names the field. */
function structuralError(error: z.ZodError, input: unknown, root: string): InputError {
  const problem = zodProblems(error, input, knownFieldsAt)[0];
  if (problem === undefined) return invalidValue(root || 'input', 'input is not valid');
  const field = fieldName(problem.path, root);
  if (problem.kind === 'unknown') {
    const parent = problem.path.slice(0, -1);
    const where = parent.length === 0 && root === '' ? 'the input' : fieldName(parent, root);
    return invalidValue(
      field,
      `${field} is not a known field of ${where}` +
        (problem.suggestion === undefined
          ? ` (known fields: ${problem.known.join(', ')})`
          : ` (did you mean ${problem.suggestion}?)`),
    );
  }
  if (problem.kind === 'required') return invalidValue(field, `${field} is required`);
  return invalidValue(field, `${field} ${problem.message} (got ${show(problem.value)})`);
}

export type OptionsShape = z.infer<typeof optionsSchema>;

const SHAPES = { input: inputSchema, tags: tagsSchema } as const;

/** The value parsed by the shape, or the InputError of its first problem (`root`: the field it is at). */
export function parseShape<K extends keyof typeof SHAPES>(
  shape: K,
  value: unknown,
  root: string,
): z.infer<(typeof SHAPES)[K]> {
  const parsed = SHAPES[shape].safeParse(value);
  if (!parsed.success) throw structuralError(parsed.error, value, root);
  return parsed.data as z.infer<(typeof SHAPES)[K]>;
}
