import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isLiveKey } from './auth.ts';
import type { Ctx } from './context.ts';
import { controlRoutes } from './control-routes.ts';
import { createControl, type EmulatorControl } from './control.ts';
import { Delivery } from './delivery.ts';
import { createEvent } from './events.ts';
import { FaultInjector } from './faults.ts';
import { IdempotencyStore } from './idempotency.ts';
import { DEFAULT_REQUEST_LOG_LIMIT, RequestLog } from './request-log.ts';
import { createRequestHandler } from './server.ts';
import { Store } from './state.ts';

export interface StripeEmulatorOptions {
  /** whsec_... used to sign deliveries. */
  webhookSecret: string;
  /** Where events are POSTed; may be set later with setWebhookUrl. */
  webhookUrl?: string;
  /** The accepted sk_test_ key; by default any sk_test_* key is accepted. */
  secretKey?: string;
  /** The accepted pk_test_ key; by default any pk_test_* key (suggested: 'pk_test_emulator'). */
  publishableKey?: string;
  /** Pass process.env.NODE_ENV; 'production' makes createStripeEmulator throw. */
  nodeEnv?: string;
  /** Retries of a failed delivery (non-2xx or network error), default 3, backoff 200ms * 2^n. */
  deliveryRetries?: number;
  /**
   * Serve the `/_emulator/*` control routes on the emulator's own listener (`listen()`, which
   * must then be on a loopback address). Off by default; `handler` never serves them, so a
   * mounted handler cannot expose them. `control` works in-process either way.
   */
  controlApi?: boolean;
  /** How many /v1 requests `control.requestLog` keeps (the newest); default 1,000. */
  requestLogLimit?: number;
  /** Millisecond clock, for tests. */
  now?: () => number;
  /**
   * The browser-facing base of receipt pages (`receipt_url` is `<base>/receipts/payment/<token>`);
   * by default the emulator's own listen URL. A server that mounts `handler` elsewhere sets it
   * with setReceiptBaseUrl.
   */
  receiptBaseUrl?: string;
}

export interface StripeEmulator {
  /**
   * Node request handler; mountable under a prefix (routes on req.url, e.g. /v1/...). Serves
   * the Stripe API only, never the control routes.
   */
  handler: (req: http.IncomingMessage, res: http.ServerResponse) => void;
  listen(port?: number, host?: string): Promise<{ port: number; url: string }>;
  close(): Promise<void>;
  setWebhookUrl(url: string | null): void;
  setReceiptBaseUrl(url: string): void;
  control: EmulatorControl;
  /** The publishable key browsers should use against this emulator. */
  readonly publishableKey: string;
}

export const DEFAULT_PUBLISHABLE_KEY = 'pk_test_emulator';

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function checkUrl(url: string): string {
  try {
    new URL(url);
  } catch {
    throw new Error(`Invalid webhook URL: ${url}`);
  }
  return url;
}

export function createStripeEmulator(opts: StripeEmulatorOptions): StripeEmulator {
  if (opts.nodeEnv === 'production') {
    throw new Error('The Stripe emulator refuses to run with NODE_ENV=production.');
  }
  for (const key of [opts.secretKey, opts.publishableKey]) {
    if (key !== undefined && isLiveKey(key)) {
      throw new Error('The Stripe emulator refuses live-mode keys (sk_live_/pk_live_).');
    }
  }
  if (opts.secretKey !== undefined && !opts.secretKey.startsWith('sk_test_')) {
    throw new Error('secretKey must be a test-mode secret key (sk_test_...).');
  }
  if (opts.publishableKey !== undefined && !opts.publishableKey.startsWith('pk_test_')) {
    throw new Error('publishableKey must be a test-mode publishable key (pk_test_...).');
  }
  if (typeof opts.webhookSecret !== 'string' || opts.webhookSecret === '') {
    throw new Error('webhookSecret is required.');
  }
  const retries = opts.deliveryRetries ?? 3;
  if (!Number.isInteger(retries) || retries < 0) {
    throw new Error('deliveryRetries must be an integer >= 0.');
  }

  const now = opts.now ?? Date.now;
  let webhookUrl: string | null = opts.webhookUrl ? checkUrl(opts.webhookUrl) : null;
  let closed = false;
  let receiptBase = opts.receiptBaseUrl?.replace(/\/+$/, '') ?? null;
  const store = new Store();
  const delivery = new Delivery({
    store,
    now,
    secret: opts.webhookSecret,
    retries,
    getUrl: () => webhookUrl,
  });
  const ctx: Ctx = {
    store,
    now,
    nowSeconds: () => Math.floor(now() / 1000),
    receiptBase: () => receiptBase ?? 'http://stripe-emulator.invalid',
    emit(type, object, request, previous) {
      const event = createEvent(store, now(), type, object, request, previous);
      delivery.enqueue(event);
      return event;
    },
  };
  const faults = new FaultInjector();
  const idempotency = new IdempotencyStore();
  const requestLog = new RequestLog(opts.requestLogLimit ?? DEFAULT_REQUEST_LOG_LIMIT);
  const control = createControl({ ctx, delivery, faults, idempotency, requestLog });

  const setWebhookUrl = (url: string | null): void => {
    webhookUrl = url ? checkUrl(url) : null;
    delivery.urlChanged();
  };

  const sleepers = new Set<() => void>();
  const handlerFor = (routes: ReturnType<typeof controlRoutes>) =>
    createRequestHandler({
      ctx,
      keys: { secretKey: opts.secretKey, publishableKey: opts.publishableKey },
      faults,
      idempotency,
      requestLog,
      controlRoutes: routes,
      isClosed: () => closed,
      sleep: (ms) =>
        new Promise<void>((resolve) => {
          const wake = (): void => {
            clearTimeout(timer);
            sleepers.delete(wake);
            resolve();
          };
          const timer = setTimeout(wake, ms);
          sleepers.add(wake);
        }),
    });
  const handler = handlerFor([]);
  const ownHandler = opts.controlApi ? handlerFor(controlRoutes(control)) : handler;

  let server: http.Server | null = null;

  return {
    handler,
    control,
    publishableKey: opts.publishableKey ?? DEFAULT_PUBLISHABLE_KEY,
    setWebhookUrl,
    setReceiptBaseUrl(url: string) {
      receiptBase = checkUrl(url).replace(/\/+$/, '');
    },
    listen(port = 0, host = '127.0.0.1') {
      if (server) return Promise.reject(new Error('The emulator is already listening.'));
      if (closed) return Promise.reject(new Error('The emulator has been closed.'));
      if (opts.controlApi && !isLoopback(host)) {
        return Promise.reject(new Error('controlApi is served on loopback addresses only.'));
      }
      const srv = http.createServer(ownHandler);
      server = srv;
      return new Promise((resolve, reject) => {
        srv.once('error', reject);
        srv.listen(port, host, () => {
          srv.off('error', reject);
          const address = srv.address() as AddressInfo;
          const shownHost = host.includes(':') ? `[${host}]` : host;
          receiptBase ??= `http://${shownHost}:${address.port}`;
          resolve({ port: address.port, url: `http://${shownHost}:${address.port}` });
        });
      });
    },
    async close() {
      closed = true;
      delivery.close();
      for (const wake of [...sleepers]) wake();
      const srv = server;
      if (!srv) return;
      await new Promise<void>((resolve) => {
        srv.close(() => resolve());
        srv.closeAllConnections();
      });
    },
  };
}
