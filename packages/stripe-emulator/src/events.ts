import { ok, pathParam, type ApiRequest, type ApiResult, type Ctx } from './context.ts';
import { invalidRequest, resourceMissing } from './errors.ts';
import { expandObject } from './expand.ts';
import { newId } from './ids.ts';
import { LIST_PARAMS, paginate } from './list.ts';
import { expandParam, optString, optStringArray, rejectUnknown } from './params.ts';
import type { Store } from './state.ts';
import type { EventRequest, StripeEvent } from './types.ts';

/** The API version stamped on events: the one stripe-node 23 pins. */
export const API_VERSION = '2026-10-28.endive';

/**
 * Records an event holding a deep copy of `object` as it is right now, as Stripe does: later
 * changes to the object never show up in an already-created event.
 */
export function createEvent(
  store: Store,
  nowMs: number,
  type: string,
  object: object,
  request: EventRequest,
  previous?: Record<string, unknown>,
): StripeEvent {
  const event: StripeEvent = {
    id: newId('evt'),
    object: 'event',
    api_version: API_VERSION,
    created: Math.floor(nowMs / 1000),
    data: {
      object: structuredClone(object) as Record<string, unknown>,
      ...(previous ? { previous_attributes: structuredClone(previous) } : {}),
    },
    livemode: false,
    pending_webhooks: 1,
    request: { ...request },
    type,
  };
  store.events.set(event.id, event);
  store.track(event.id);
  return event;
}

/** Stripe's `type` filter: an exact name or a `*` wildcard such as `charge.dispute.*`. */
export function typeMatches(pattern: string, type: string): boolean {
  if (!pattern.includes('*')) return pattern === type;
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return re.test(type);
}

export function retrieveEvent(ctx: Ctx, req: ApiRequest): ApiResult {
  rejectUnknown(req.params, ['expand']);
  const id = pathParam(req);
  const event = ctx.store.events.get(id);
  if (!event) throw resourceMissing('event', id);
  return ok(expandObject(ctx.store, event, expandParam(req.params)));
}

export function listEvents(ctx: Ctx, req: ApiRequest): ApiResult {
  rejectUnknown(req.params, [...LIST_PARAMS, 'type', 'types', 'delivery_success']);
  const type = optString(req.params, 'type');
  const types = optStringArray(req.params, 'types');
  if (type !== undefined && types !== undefined) {
    throw invalidRequest('You may only specify one of these parameters: type, types.', {
      param: 'types',
    });
  }
  const list = paginate(ctx.store, ctx.store.events.values(), req.params, {
    url: '/v1/events',
    kind: 'event',
    filter: (e) =>
      (type === undefined || typeMatches(type, e.type)) &&
      (types === undefined || types.some((t) => typeMatches(t, e.type))),
  });
  return ok(expandObject(ctx.store, list, expandParam(req.params)));
}
