import { createHash } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import { AppError, rateLimited } from '../errors.ts';
import type { IdempotencyKeyRef, Store } from '../store/types.ts';
import { actorOf, userIdOnly } from './auth.ts';
import type { IdempotencyKeyQuota } from './request-limits.ts';

/**
 * What a handler with an `atomic` key gets from `atomicKeyOf`: the key, validated, counted and
 * fingerprinted, exactly what the store records with the effect.
 */
export type IdempotencyRequest = IdempotencyKeyRef;

/** The `atomic` key of this request, if it sent one. */
export const atomicKeyOf = (res: Response): IdempotencyRequest | undefined =>
  res.locals.idempotency as IdempotencyRequest | undefined;

/** An HTTP reply, as sent the first time and again on every replay. */
export interface Reply {
  status: number;
  body: string;
}

export function sendReply(res: Response, reply: Reply): void {
  res.status(reply.status).type('application/json').send(reply.body);
}

/** A replay is the first reply, marked as such. */
export function sendReplay(res: Response, reply: Reply): void {
  res.setHeader('Idempotent-Replayed', 'true');
  sendReply(res, reply);
}

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
/** An in-progress record older than this is treated as abandoned by a crashed request. */
const STALE_AFTER_MS = 60_000;

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function requestFingerprint(method: string, path: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method} ${path}\n${canonical(body ?? null)}`)
    .digest('hex');
}

/**
 * Only outcomes that a retry must see again are remembered: successes and the business
 * refusal 402 (its body names the shortfall). Validation errors, 404s and conflicts changed
 * nothing, so storing them would only let a client fill the disk with keys.
 */
function remembersOutcome(status: number): boolean {
  return status < 400 || status === 402;
}

const keyReused = () =>
  new AppError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used with a different request');

/**
 * `Idempotency-Key` support for authenticated mutating endpoints: the same key and body
 * replays the first response; the same key with another body is refused; a concurrent
 * duplicate gets 409 while the first is still running. Server errors release the key so
 * the client may retry.
 *
 * `atomic` is for operations whose service looks up and writes the idempotency record in
 * the same transaction as its effect (video generation): this layer only validates the key
 * and fingerprints the request, the handler passes it on (`atomicKeyOf`) and encodes the
 * outcome it gets back, fresh or replayed, with `sendReply`/`sendReplay`. One lookup and one
 * transaction instead of three, and no window in which a crash strands a key.
 */
export function idempotency(
  store: Store,
  scope: string,
  now: () => Date,
  options: { atomic?: boolean; quota: IdempotencyKeyQuota },
): RequestHandler {
  return (req, res, next) => {
    handleKey(req, res, next).catch(next);
  };

  async function handleKey(...[req, res, next]: Parameters<RequestHandler>): Promise<void> {
    const key = req.get('Idempotency-Key');
    if (key === undefined) {
      next();
      return;
    }
    if (!KEY_PATTERN.test(key)) {
      next(
        new AppError(
          'VALIDATION_ERROR',
          'Idempotency-Key must be 1 to 255 printable ASCII characters',
        ),
      );
      return;
    }
    const userId = actorOf(res, userIdOnly).userId;
    const allowance = await options.quota.take(userId);
    if (!allowance.ok) {
      throw rateLimited(
        allowance.msBeforeNext,
        'Too many Idempotency-Keys from your account; reuse a key only to retry a request',
      );
    }
    const requestHash = requestFingerprint(req.method, req.baseUrl + req.path, req.body);
    if (options.atomic) {
      res.locals.idempotency = { scope, key, requestHash } satisfies IdempotencyRequest;
      next();
      return;
    }
    const at = now();
    const begin = await store.beginIdempotentRequest({
      userId,
      scope,
      key,
      requestHash,
      now: at.toISOString(),
      staleBefore: new Date(at.getTime() - STALE_AFTER_MS).toISOString(),
    });
    switch (begin.state) {
      case 'mismatch':
        throw keyReused();
      case 'in_progress':
        throw new AppError(
          'IDEMPOTENCY_IN_PROGRESS',
          'A request with this Idempotency-Key is still in progress',
          undefined,
          { 'Retry-After': '1' },
        );
      case 'completed':
        sendReplay(res, begin);
        return;
      case 'started':
        captureResponse(res, (status, body) => {
          const done = remembersOutcome(status)
            ? store.completeIdempotentRequest({
                userId,
                scope,
                key,
                status,
                body,
                now: now().toISOString(),
              })
            : store.releaseIdempotentRequest({ userId, scope, key });
          done.catch((err: unknown) => req.log?.error({ err }, 'idempotency record failed'));
        });
        next();
    }
  }
}

function captureResponse(
  res: Parameters<RequestHandler>[1],
  onDone: (status: number, body: string) => void,
): void {
  const originalJson = res.json.bind(res);
  res.json = (body: unknown) => {
    onDone(res.statusCode, JSON.stringify(body));
    return originalJson(body);
  };
}
