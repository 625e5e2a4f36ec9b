import type { RequestHandler } from 'express';
import { AppError } from '../errors.ts';

/** No API body nests anywhere near this deep; the limit keeps recursive code off the stack edge. */
export const MAX_JSON_DEPTH = 32;

/** Depth of a parsed JSON value, measured without recursion, stopping once `limit` is passed. */
export function jsonDepthExceeds(value: unknown, limit: number): boolean {
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const { value: current, depth } = stack.pop()!;
    if (current === null || typeof current !== 'object') continue;
    if (depth + 1 > limit) return true;
    const children = Array.isArray(current) ? current : Object.values(current);
    for (const child of children) stack.push({ value: child, depth: depth + 1 });
  }
  return false;
}

/** Refuses bodies nested deeper than MAX_JSON_DEPTH with the usual 400, before any handler. */
export const rejectDeepJson: RequestHandler = (req, _res, next) => {
  if (jsonDepthExceeds(req.body, MAX_JSON_DEPTH)) {
    next(
      new AppError('VALIDATION_ERROR', `Request body is nested more than ${MAX_JSON_DEPTH} deep`),
    );
    return;
  }
  next();
};
