import type { z } from 'zod';
import { validationError } from '../errors.ts';

export interface FieldIssue {
  path: string;
  message: string;
}

function issuesOf(error: z.ZodError): FieldIssue[] {
  return error.issues.map((i) => ({
    path: i.path.map(String).join('.') || '(body)',
    // Unknown keys are named, so a client sees which field it may not send.
    message: i.code === 'unrecognized_keys' ? `Unknown field(s): ${i.keys.join(', ')}` : i.message,
  }));
}

export function parseWith<S extends z.ZodType>(
  schema: S,
  value: unknown,
  what = 'request body',
): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw validationError(`Invalid ${what}`, issuesOf(result.error));
  return result.data;
}
