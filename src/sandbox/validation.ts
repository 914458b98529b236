// zod at the boundary: parse a request body and turn zod issues into Discord's 50035 field
// errors ({errors: {field: {_errors: [{code, message}]}}}), with Discord's codes and sentences.
import { z } from 'zod';
import { DiscordError, addFieldError, invalidFormBodyCode } from './errors.js';
import type { ErrorTree, FieldError } from './errors.js';

/** Custom issues carry their Discord code in params.discord. */
interface DiscordParams {
  discord?: FieldError;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

function toFieldError(issue: z.core.$ZodIssue, root: unknown): FieldError {
  const params = (issue as { params?: DiscordParams }).params;
  if (params?.discord) return params.discord;
  switch (issue.code) {
    case 'too_big':
      if (issue.origin === 'number' || issue.origin === 'int' || issue.origin === 'bigint')
        return { code: 'NUMBER_TYPE_MAX', message: `int value should be less than or equal to ${String(issue.maximum)}.` };
      return { code: 'BASE_TYPE_MAX_LENGTH', message: `Must be ${String(issue.maximum)} or fewer in length.` };
    case 'too_small':
      if (issue.origin === 'number' || issue.origin === 'int' || issue.origin === 'bigint')
        return { code: 'NUMBER_TYPE_MIN', message: `int value should be greater than or equal to ${String(issue.minimum)}.` };
      return { code: 'BASE_TYPE_MIN_LENGTH', message: `Must be ${String(issue.minimum)} or more in length.` };
    case 'invalid_type': {
      const v = valueAt(root, issue.path);
      if (v === undefined || v === null) return { code: 'BASE_TYPE_REQUIRED', message: 'This field is required' };
      if (issue.expected === 'number' || issue.expected === 'int')
        return { code: 'NUMBER_TYPE_COERCE', message: `Value "${String(v)}" is not int.` };
      if (issue.expected === 'boolean') return { code: 'BOOLEAN_TYPE_COERCE', message: `Value "${String(v)}" is not a valid boolean.` };
      if (issue.expected === 'array') return { code: 'BASE_TYPE_ARRAY', message: 'Must be an array.' };
      if (issue.expected === 'object') return { code: 'MODEL_TYPE_CONVERT', message: 'Only dictionaries may be used in a ModelType' };
      return { code: 'STRING_TYPE_CONVERT', message: 'Could not interpret value as string.' };
    }
    case 'invalid_value':
    case 'invalid_union':
      if ('values' in issue && Array.isArray(issue.values))
        return { code: 'BASE_TYPE_CHOICES', message: `Value must be one of {${issue.values.map(String).join(', ')}}.` };
      return { code: 'BASE_TYPE_CHOICES', message: 'Value must be one of the allowed choices.' };
    case 'invalid_format':
      return { code: 'NUMBER_TYPE_COERCE', message: `Value "${String(valueAt(root, issue.path))}" is not snowflake.` };
    default:
      return { code: 'BASE_TYPE_INVALID', message: issue.message };
  }
}

export function zodToDiscord(error: z.ZodError, root: unknown): DiscordError {
  const tree: ErrorTree = {};
  for (const issue of error.issues) {
    addFieldError(
      tree,
      issue.path.map((p) => (typeof p === 'symbol' ? String(p.description) : p)),
      toFieldError(issue, root),
    );
  }
  return new DiscordError(400, invalidFormBodyCode, 'Invalid Form Body', tree);
}

/** Parse `input` with `schema` or throw a Discord 50035. */
export function parseBody<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const r = schema.safeParse(input ?? {});
  if (!r.success) throw zodToDiscord(r.error, input);
  return r.data;
}

/** Snowflake: string or number of 17–20 digits, always handed on as a string. */
export const snowflake = z
  .union([z.string(), z.number(), z.bigint()])
  .transform((v) => String(v))
  .pipe(z.string().regex(/^\d{15,20}$/));

/** A string whose length must lie within [min, max], reported as Discord does. */
export function lengthBetween(min: number, max: number): z.ZodString {
  return z.string().check((ctx) => {
    const n = [...ctx.value].length;
    if (n < min || n > max) {
      ctx.issues.push({
        code: 'custom',
        input: ctx.value,
        message: 'bad length',
        params: { discord: { code: 'BASE_TYPE_BAD_LENGTH', message: `Must be between ${min} and ${max} in length.` } },
      });
    }
  });
}

/** At most `max` characters (code points), as BASE_TYPE_MAX_LENGTH. */
export function maxChars(max: number): z.ZodString {
  return z.string().check((ctx) => {
    if ([...ctx.value].length > max) {
      ctx.issues.push({
        code: 'custom',
        input: ctx.value,
        message: 'too long',
        params: { discord: { code: 'BASE_TYPE_MAX_LENGTH', message: `Must be ${max} or fewer in length.` } },
      });
    }
  });
}

/** Permission bitfields arrive as strings of digits (or numbers from old clients). */
export const permissionBits = z
  .union([z.string().regex(/^\d{1,20}$/), z.number().int().nonnegative()])
  .transform((v) => BigInt(v));

/** Query-string integers ("50") as numbers; anything else is a 50035. */
export function queryInt(value: string | null, field: string, min: number, max: number, dflt: number): number {
  if (value === null || value === '') return dflt;
  const root = { [field]: value };
  const n = Number(value);
  if (!/^-?\d+$/.test(value)) {
    throw zodToDiscord(new z.ZodError([{ code: 'invalid_type', expected: 'number', path: [field], message: 'nan', input: value }]), root);
  }
  if (n > max) {
    throw zodToDiscord(new z.ZodError([{ code: 'too_big', origin: 'number', maximum: max, inclusive: true, path: [field], message: 'big', input: n }]), root);
  }
  if (n < min) {
    throw zodToDiscord(new z.ZodError([{ code: 'too_small', origin: 'number', minimum: min, inclusive: true, path: [field], message: 'small', input: n }]), root);
  }
  return n;
}
