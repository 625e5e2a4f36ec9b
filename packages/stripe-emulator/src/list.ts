import { invalidRequest, resourceMissing } from './errors.ts';
import type { ParamObject } from './form.ts';
import { isObject, optInt, optString } from './params.ts';
import type { Store } from './state.ts';
import type { ListResponse } from './types.ts';

export const LIST_PARAMS = ['limit', 'starting_after', 'ending_before', 'created', 'expand'];

interface Listable {
  id: string;
  created: number;
}

function createdFilter(params: ParamObject): (created: number) => boolean {
  const raw = params.created;
  if (raw === undefined || raw === '') return () => true;
  if (!isObject(raw)) {
    const exact = optInt(params, 'created');
    return (c) => c === exact;
  }
  const bound = (op: string): number | undefined => optInt(raw, op, { label: `created[${op}]` });
  for (const key of Object.keys(raw)) {
    if (!['gt', 'gte', 'lt', 'lte'].includes(key)) {
      throw invalidRequest(`Received unknown parameter: created[${key}]`, {
        param: `created[${key}]`,
        code: 'parameter_unknown',
      });
    }
  }
  const gt = bound('gt');
  const gte = bound('gte');
  const lt = bound('lt');
  const lte = bound('lte');
  return (c) =>
    (gt === undefined || c > gt) &&
    (gte === undefined || c >= gte) &&
    (lt === undefined || c < lt) &&
    (lte === undefined || c <= lte);
}

/**
 * Cursor pagination as Stripe does it: newest first, `starting_after` walks towards older
 * objects, `ending_before` towards newer ones (still returned newest first).
 */
export function paginate<T extends Listable>(
  store: Store,
  all: Iterable<T>,
  params: ParamObject,
  opts: { url: string; kind: string; filter?: (item: T) => boolean },
): ListResponse<T> {
  const limit = optInt(params, 'limit', { min: 1, max: 100 }) ?? 10;
  const startingAfter = optString(params, 'starting_after');
  const endingBefore = optString(params, 'ending_before');
  if (startingAfter && endingBefore) {
    throw invalidRequest(
      'You may only specify one of these parameters: ending_before, starting_after.',
      {
        param: 'ending_before',
      },
    );
  }
  const byCreated = createdFilter(params);
  const everything = store.newestFirst(all);
  const filter = opts.filter ?? (() => true);
  const items = everything.filter((item) => byCreated(item.created) && filter(item));

  const cursorIndex = (id: string, param: string): number => {
    const cursor = everything.find((item) => item.id === id);
    if (!cursor) throw resourceMissing(opts.kind, id, param);
    const key = (item: T): [number, number] => [item.created, store.seq(item.id)];
    const [c, s] = key(cursor);
    // Position among the filtered items, even if the cursor itself was filtered out.
    const idx = items.findIndex((item) => {
      const [ic, is] = key(item);
      return ic < c || (ic === c && is <= s);
    });
    return idx === -1 ? items.length : idx;
  };

  let data: T[];
  let hasMore: boolean;
  if (startingAfter) {
    let from = cursorIndex(startingAfter, 'starting_after');
    if (items[from]?.id === startingAfter) from += 1;
    data = items.slice(from, from + limit);
    hasMore = from + limit < items.length;
  } else if (endingBefore) {
    const end = cursorIndex(endingBefore, 'ending_before');
    const start = Math.max(0, end - limit);
    data = items.slice(start, end);
    hasMore = start > 0;
  } else {
    data = items.slice(0, limit);
    hasMore = limit < items.length;
  }
  return { object: 'list', data, has_more: hasMore, url: opts.url };
}
