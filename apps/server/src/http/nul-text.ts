import type { RequestHandler } from 'express';
import { validationError } from '../errors.ts';
import type { FieldIssue } from './validate.ts';

const NUL = '\u0000';
const NUL_MESSAGE = 'Text may not contain the NUL character (U+0000)';

/**
 * The path of the first string value or object key in a parsed JSON body that holds NUL, or
 * undefined when there is none. Iterative, like the depth check, so no body reaches the stack.
 */
export function pathOfNulText(value: unknown): string | undefined {
  const stack: Array<{ value: unknown; path: string[] }> = [{ value, path: [] }];
  while (stack.length > 0) {
    const { value: current, path } = stack.pop()!;
    if (typeof current === 'string') {
      if (current.includes(NUL)) return path.join('.') || '(body)';
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    for (const [key, child] of Object.entries(current)) {
      if (key.includes(NUL)) return [...path, key.replaceAll(NUL, '\\u0000')].join('.');
      stack.push({ value: child, path: [...path, key] });
    }
  }
  return undefined;
}

/**
 * PostgreSQL cannot store NUL in text (it answered 500 from deep inside a write) and SQLite
 * would store it, so the API refuses it for every request in one place, with the same 400
 * whichever database is behind it: in the JSON body, and in the URL, where path segments and
 * query values can only carry it percent-encoded. (Node's HTTP parser already refuses NUL in
 * header values.)
 */
export const rejectNulText: RequestHandler = (req, _res, next) => {
  const path = /%00/i.test(req.originalUrl) ? '(url)' : pathOfNulText(req.body);
  if (path === undefined) {
    next();
    return;
  }
  const issues: FieldIssue[] = [{ path, message: NUL_MESSAGE }];
  next(validationError('Invalid request', issues));
};
