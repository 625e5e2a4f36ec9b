import { invalidRequest } from './errors.ts';
import type { Store } from './state.ts';

const MAX_DEPTH = 4;

function notExpandable(path: string): Error {
  return invalidRequest(`This property cannot be expanded (${path}).`, { param: 'expand' });
}

function expandPath(
  store: Store,
  target: Record<string, unknown>,
  segments: string[],
  fullPath: string,
): void {
  const [head, ...rest] = segments;
  if (head === undefined) return;
  if (!(head in target)) throw notExpandable(fullPath);
  let value = target[head];
  if (typeof value === 'string') {
    const found = store.lookup(value);
    if (!found) throw notExpandable(fullPath);
    value = structuredClone(found);
    target[head] = value;
  }
  if (value === null) return;
  if (typeof value !== 'object') throw notExpandable(fullPath);
  if (rest.length > 0) expandPath(store, value as Record<string, unknown>, rest, fullPath);
}

/**
 * Returns a copy of `object` with the `expand[]` paths replaced by the objects they reference.
 * A path starting with `data.` applies to each element of a list response.
 */
export function expandObject<T extends object>(
  store: Store,
  object: T,
  paths: string[],
): Record<string, unknown> {
  const copy = structuredClone(object) as Record<string, unknown>;
  for (const path of paths) {
    const segments = path.split('.');
    if (segments.length > MAX_DEPTH) {
      throw invalidRequest(`You cannot expand more than ${MAX_DEPTH} levels of a property.`, {
        param: 'expand',
      });
    }
    if (segments[0] === 'data' && Array.isArray(copy.data)) {
      for (const item of copy.data as Record<string, unknown>[]) {
        expandPath(store, item, segments.slice(1), path);
      }
    } else {
      expandPath(store, copy, segments, path);
    }
  }
  return copy;
}
