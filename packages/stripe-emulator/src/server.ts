import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticate, extractKey, type KeyConfig } from './auth.ts';
import type { ApiResult, Ctx, KeyKind } from './context.ts';
import type { ControlRoute } from './control-routes.ts';
import type { RequestLogEntry } from './control.ts';
import type { RequestLog } from './request-log.ts';
import {
  apiError,
  errorResponse,
  idempotencyError,
  invalidRequest,
  permissionError,
  StripeApiError,
  unrecognizedUrl,
} from './errors.ts';
import { API_VERSION } from './events.ts';
import type { FaultInjector } from './faults.ts';
import { canonicalJson, FormError, parseForm, type ParamObject } from './form.ts';
import type { IdempotencyStore } from './idempotency.ts';
import { randomToken } from './ids.ts';
import { isReceiptPath, serveReceipt } from './receipt-page.ts';
import { API_ROUTES, matchRoute } from './routes.ts';

const MAX_BODY_BYTES = 1024 * 1024;

export interface ServerDeps {
  ctx: Ctx;
  keys: KeyConfig;
  faults: FaultInjector;
  idempotency: IdempotencyStore;
  requestLog: RequestLog;
  /** Empty unless this listener serves the control API; then `/_emulator/*` is a 404. */
  controlRoutes: readonly ControlRoute[];
  isClosed(): boolean;
  /** A delay that ends early when the emulator closes. */
  sleep(ms: number): Promise<void>;
}

interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

const CORS_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers':
    'Request-Id, Stripe-Version, Idempotency-Key, Idempotent-Replayed',
};

const PREFLIGHT_HEADERS = {
  'Access-Control-Allow-Methods': 'GET, POST, DELETE, OPTIONS',
  'Access-Control-Allow-Headers':
    'Authorization, Content-Type, Idempotency-Key, Stripe-Version, Stripe-Account',
  'Access-Control-Max-Age': '600',
};

class BodyTooLarge extends Error {}

/** Reads the raw body, or takes what a framework body parser (Express) already consumed. */
async function readBody(req: IncomingMessage): Promise<string | ParamObject> {
  if (req.readableEnded) {
    const parsed = (req as IncomingMessage & { body?: unknown }).body;
    if (typeof parsed === 'string') return parsed;
    if (Buffer.isBuffer(parsed)) return parsed.toString('utf8');
    if (parsed !== null && typeof parsed === 'object') return parsed as ParamObject;
    return '';
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer | string>) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buf.length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLarge('Request body too large');
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseParams(body: string | ParamObject, contentType: string, query: string): ParamObject {
  const params = parseForm(query);
  if (typeof body !== 'string') return Object.assign(params, body);
  if (body.trim() === '') return params;
  if (contentType.includes('application/json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      throw invalidRequest('Invalid JSON in request body.');
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw invalidRequest('The request body must be a JSON object.');
    }
    return Object.assign(params, parsed as ParamObject);
  }
  return Object.assign(params, parseForm(body));
}

function headerValue(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  if (Array.isArray(value)) return value[0] ?? null;
  return value ?? null;
}

function write(res: ServerResponse, reply: Reply, base: Record<string, string>): void {
  if (res.headersSent || res.destroyed) return;
  const json = JSON.stringify(reply.body, null, 2);
  res.writeHead(reply.status, {
    ...base,
    ...reply.headers,
    'Content-Type': 'application/json',
    'Content-Length': String(Buffer.byteLength(json)),
  });
  res.end(json);
}

function toReply(err: unknown): Reply {
  if (err instanceof StripeApiError) return { status: err.status, body: errorResponse(err) };
  if (err instanceof FormError) {
    return { status: 400, body: errorResponse(invalidRequest(err.message)) };
  }
  console.error('[stripe-emulator] internal error', err);
  return { status: 500, body: errorResponse(apiError(500, 'An unknown error occurred')) };
}

function faultReply(status: number): Reply {
  if (status === 429) {
    return {
      status,
      body: errorResponse(
        invalidRequest('Too many requests hit the API too quickly. (injected by the emulator)', {
          code: 'rate_limit',
          status,
        }),
      ),
    };
  }
  const err =
    status >= 500
      ? apiError(status, 'Stripe is temporarily unavailable. (fault injected by the emulator)')
      : invalidRequest('Injected fault. (fault injected by the emulator)', { status });
  return { status, body: errorResponse(err) };
}

// Idempotent results are kept for requests that ran; validation failures are not, as on Stripe.
function storesIdempotentResult(status: number): boolean {
  return status < 400 || status === 402;
}

export function createRequestHandler(
  deps: ServerDeps,
): (req: IncomingMessage, res: ServerResponse) => void {
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestId = `req_${randomToken(14)}`;
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
    const isApi = path.startsWith('/v1/');
    const isControl = path.startsWith('/_emulator/');
    // No CORS on control routes: a web page the developer visits must not be able to drive them.
    const base: Record<string, string> = {
      ...(isControl ? {} : CORS_HEADERS),
      'Request-Id': requestId,
      'Stripe-Version': headerValue(req, 'stripe-version') ?? API_VERSION,
      'Cache-Control': 'no-cache, no-store',
    };
    if (method === 'OPTIONS') {
      res.writeHead(204, isControl ? base : { ...base, ...PREFLIGHT_HEADERS });
      res.end();
      return;
    }
    // Receipt pages are public HTML, like Stripe's: the unguessable URL is the only key.
    if (isReceiptPath(path)) {
      req.resume();
      serveReceipt(deps.ctx.store, method, path, res);
      return;
    }
    if (isControl && deps.controlRoutes.length === 0) {
      req.resume();
      write(res, toReply(unrecognizedUrl(method, path)), base);
      return;
    }
    const idempotencyKey = method === 'POST' ? headerValue(req, 'idempotency-key') : null;
    if (idempotencyKey !== null) base['Idempotency-Key'] = idempotencyKey;

    const log = (status: number | null, extra: Partial<RequestLogEntry> = {}): void => {
      if (!isApi) return;
      deps.requestLog.add({
        method,
        path,
        idempotencyKey,
        status,
        requestId,
        ...extra,
        at: deps.ctx.now(),
      });
    };

    let body: string | ParamObject;
    try {
      body = await readBody(req);
    } catch (err) {
      const status = err instanceof BodyTooLarge ? 413 : 400;
      write(res, { status, body: errorResponse(invalidRequest(String(err), { status })) }, base);
      return;
    }

    if (deps.isClosed()) {
      write(
        res,
        { status: 503, body: errorResponse(apiError(503, 'The emulator is closed.')) },
        base,
      );
      return;
    }

    // Faults fire before anything is processed or remembered, so a retry behaves like a first try.
    let hung = false;
    const fault = isApi ? deps.faults.take(method, path) : null;
    if (fault === 'reset') {
      log(null, { fault: 'reset' });
      req.socket.destroy();
      return;
    }
    if (fault !== null && 'status' in fault) {
      const reply = faultReply(fault.status);
      log(reply.status, { fault: 'status' });
      write(res, reply, base);
      return;
    }
    if (fault !== null && 'hangMs' in fault) {
      hung = true;
      await deps.sleep(fault.hangMs);
      if (deps.isClosed()) return;
    }

    let reply: Reply;
    let apiKey: string | null = null;
    let replayed = false;
    try {
      const params = parseParams(body, headerValue(req, 'content-type') ?? '', url.search.slice(1));
      const keyParam = typeof params.key === 'string' ? params.key : undefined;
      delete params.key;
      // Control calls take the key from the header only: a `key` form field would let a
      // cross-site form post (no CORS preflight) reach them.
      apiKey = extractKey(req, isControl ? undefined : keyParam);
      const kind: KeyKind = authenticate(apiKey, deps.keys);

      if (isControl) {
        if (kind !== 'secret')
          throw permissionError('The emulator control API requires the secret key.');
        const found = matchRoute(deps.controlRoutes, method, path);
        if (!found) throw unrecognizedUrl(method, path);
        try {
          const result = await found.route.handler(params, found.captures);
          write(res, { status: 200, body: result }, base);
        } catch (err) {
          const plain = err instanceof Error && !(err instanceof StripeApiError);
          write(
            res,
            plain
              ? { status: 400, body: errorResponse(invalidRequest(err.message)) }
              : toReply(err),
            base,
          );
        }
        return;
      }

      const found = matchRoute(API_ROUTES, method, path);
      if (!found) throw unrecognizedUrl(method, path);
      if (kind === 'publishable' && !found.route.publishable) {
        throw permissionError(
          'This API call cannot be made with a publishable API key. Please use a secret API key. You can find a list of your API keys at https://dashboard.stripe.com/account/apikeys.',
        );
      }

      const fingerprint = canonicalJson(params);
      let result: ApiResult | null = null;
      if (idempotencyKey !== null && apiKey !== null) {
        const lookup = deps.idempotency.lookup(
          apiKey,
          idempotencyKey,
          { method, path, fingerprint },
          deps.ctx.now(),
        );
        if (lookup.kind === 'mismatch') throw idempotencyError(lookup.message);
        if (lookup.kind === 'replay') {
          replayed = true;
          result = { status: lookup.stored.status, body: lookup.stored.body };
          base['Idempotent-Replayed'] = 'true';
          base['Original-Request'] = lookup.stored.requestId;
        }
      }
      if (result === null) {
        try {
          result = found.route.handler(deps.ctx, {
            method,
            path,
            pathParams: found.captures,
            params,
            keyKind: kind,
            requestId,
            idempotencyKey,
          });
        } catch (err) {
          if (!(err instanceof StripeApiError)) throw err;
          result = { status: err.status, body: errorResponse(err) };
        }
        if (idempotencyKey !== null && apiKey !== null && storesIdempotentResult(result.status)) {
          deps.idempotency.save(apiKey, idempotencyKey, {
            method,
            path,
            fingerprint,
            status: result.status,
            body: result.body,
            requestId,
            storedAt: deps.ctx.now(),
          });
        }
      }
      reply = { status: result.status, body: result.body };
    } catch (err) {
      reply = toReply(err);
    }
    log(reply.status, {
      ...(replayed ? { replayed: true } : {}),
      ...(hung ? { fault: 'hang' as const } : {}),
    });
    write(res, reply, base);
  };

  return (req, res) => {
    handle(req, res).catch((err: unknown) => {
      write(res, toReply(err), { ...CORS_HEADERS });
    });
  };
}
