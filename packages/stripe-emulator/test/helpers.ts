import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import {
  createStripeEmulator,
  type StripeEmulator,
  type StripeEmulatorOptions,
} from '../src/index.ts';

export const WEBHOOK_SECRET = 'whsec_test_emulator_suite';
export const SECRET_KEY = 'sk_test_emulator_suite';

export function stripeClient(
  port: number,
  key = SECRET_KEY,
  extra: Partial<Stripe.StripeConfig> = {},
): Stripe {
  return new Stripe(key, {
    host: '127.0.0.1',
    port,
    protocol: 'http',
    maxNetworkRetries: 0,
    telemetry: false,
    ...extra,
  });
}

export interface Received {
  body: string;
  signature: string;
  headers: http.IncomingHttpHeaders;
  event: { id: string; type: string; data: { object: Record<string, unknown> } } & Record<
    string,
    unknown
  >;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Decides the status code of each delivery (by 0-based arrival index); default 200. */
  respond: (r: Received, index: number) => number | Promise<number>;
  waitFor(count: number, timeoutMs?: number): Promise<Received[]>;
  types(): string[];
  close(): Promise<void>;
}

/** A tiny webhook endpoint that records every delivery. */
export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const receiver: Receiver = {
    url: '',
    received,
    respond: () => 200,
    async waitFor(count, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > deadline) {
          throw new Error(
            `expected ${count} deliveries, got ${received.length}: ${receiver.types().join(', ')}`,
          );
        }
        await sleep(10);
      }
      return received;
    },
    types: () => received.map((r) => r.event.type),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const r: Received = {
        body,
        signature: String(req.headers['stripe-signature'] ?? ''),
        headers: req.headers,
        event: JSON.parse(body) as Received['event'],
      };
      const index = received.length;
      received.push(r);
      void Promise.resolve(receiver.respond(r, index)).then((status) => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end('{}');
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/stripe`;
  return receiver;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface Harness {
  emulator: StripeEmulator;
  port: number;
  url: string;
  stripe: Stripe;
  receiver: Receiver;
  close(): Promise<void>;
}

export async function startHarness(opts: Partial<StripeEmulatorOptions> = {}): Promise<Harness> {
  const receiver = await startReceiver();
  // The suites drive the emulator over HTTP too, as a test runner in another process would.
  const emulator = createStripeEmulator({
    webhookSecret: WEBHOOK_SECRET,
    webhookUrl: receiver.url,
    deliveryRetries: 0,
    controlApi: true,
    ...opts,
  });
  const { port, url } = await emulator.listen();
  return {
    emulator,
    port,
    url,
    stripe: stripeClient(port),
    receiver,
    async close() {
      await emulator.close();
      await receiver.close();
    },
  };
}

export interface RawResponse {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/** A plain HTTP call, for what stripe-node hides (headers, publishable keys, CORS). */
export async function raw(
  baseUrl: string,
  path: string,
  opts: {
    method?: string;
    key?: string | null;
    form?: string;
    json?: unknown;
    headers?: Record<string, string>;
  } = {},
): Promise<RawResponse> {
  const headers: Record<string, string> = { ...opts.headers };
  const key = opts.key === undefined ? SECRET_KEY : opts.key;
  if (key !== null) headers.Authorization = `Bearer ${key}`;
  let body: string | undefined;
  if (opts.form !== undefined) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    body = opts.form;
  } else if (opts.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.json);
  }
  const res = await fetch(`${baseUrl}${path}`, {
    method: opts.method ?? (body === undefined ? 'GET' : 'POST'),
    headers,
    body,
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

/** Runs `fn` and returns the error it throws (failing the test if it does not throw). */
export async function errorOf(fn: () => Promise<unknown>): Promise<Stripe.errors.StripeError> {
  try {
    await fn();
  } catch (err) {
    return err as Stripe.errors.StripeError;
  }
  throw new Error('expected the call to fail');
}
