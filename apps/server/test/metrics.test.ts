import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqliteAdapterInternals } from '../src/store/sqlite/test-data.ts';
import { createHarness, type Harness, type TestUser } from './helpers/harness.ts';
import { pay, postWebhook, signedEvent, startPurchase } from './helpers/payments.ts';
import { gatedRenderer } from './helpers/renderers.ts';
import { generate, waitFor, waitForTerminal } from './helpers/video.ts';

const TOKEN = 'metrics-test-token-0123456789abcdef';
const gate = gatedRenderer();
let h: Harness;
let user: TestUser;

beforeAll(async () => {
  h = await createHarness(
    { METRICS_TOKEN: TOKEN },
    { renderer: gate.renderer, verifyOutput: false },
  );
  user = await h.signup();
});
afterAll(async () => h?.close());

async function scrape(): Promise<string> {
  const res = await h.http().get('/metrics').set('Authorization', `Bearer ${TOKEN}`);
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain/);
  return res.text;
}

/** The value of one series, its labels matched exactly (in any order); undefined if absent. */
function value(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const found = Object.fromEntries(
      [...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]),
    );
    if (
      JSON.stringify(Object.entries(found).sort()) === JSON.stringify(Object.entries(labels).sort())
    )
      return Number(m[3]);
  }
  return undefined;
}

/** Change of each series between two scrapes (a missing series counts as 0). */
function delta(before: string, after: string, name: string, labels: Record<string, string> = {}) {
  return (value(after, name, labels) ?? 0) - (value(before, name, labels) ?? 0);
}

const M = 'credits_app_';

describe('/metrics on the public port', () => {
  it('is a plain 404 without the bearer token, with a wrong one, or another scheme', async () => {
    for (const auth of [undefined, 'Bearer wrong-token-wrong-token-wrong', `Basic ${TOKEN}`]) {
      const req = h.http().get('/metrics');
      if (auth) req.set('Authorization', auth);
      const res = await req;
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: { code: 'NOT_FOUND', message: 'No such endpoint' } });
    }
  });

  it('counts requests per route pattern, never per raw URL', async () => {
    const before = await scrape();
    const res = await generate(h, user);
    expect(res.status).toBe(202);
    const id = res.body.video.id as string;
    await waitFor(() => gate.isRendering(id));
    expect((await h.http().get(`/api/video/${id}`).set(user.auth)).status).toBe(200);
    expect((await h.http().get('/api/video/not-a-video').set(user.auth)).status).toBe(404);
    expect((await h.http().get(`/no/such/path/${id}`)).status).toBe(404);
    await gate.succeed(id);
    await waitForTerminal(h, user, id);
    const after = await scrape();
    const req = (method: string, route: string, status: string) =>
      delta(before, after, `${M}http_requests_total`, { method, route, status });
    expect(req('POST', '/api/video/generate', '202')).toBe(1);
    expect(req('GET', '/api/video/:id', '200')).toBeGreaterThanOrEqual(1);
    expect(req('GET', '/api/video/:id', '404')).toBe(1);
    expect(req('GET', 'unmatched', '404')).toBe(1);
    expect(after).not.toContain(id);
    expect(
      value(after, `${M}http_request_duration_seconds_count`, {
        method: 'POST',
        route: '/api/video/generate',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      delta(before, after, `${M}video_render_duration_seconds_count`, { outcome: 'completed' }),
    ).toBe(1);
  });

  it('reads back signup, spend, a failed render, a purchase and every webhook outcome', async () => {
    const before = await scrape();

    const buyer = await h.signup();
    const video = await generate(h, buyer);
    expect(video.status).toBe(202);
    const videoId = video.body.video.id as string;
    const cost = video.body.video.creditsUsed as number;
    await waitFor(() => gate.isRendering(videoId));
    gate.fail(videoId);
    expect((await waitForTerminal(h, buyer, videoId)).status).toBe('failed');

    const intent = await startPurchase(h, buyer);
    await pay(h, intent.paymentIntentId);
    await h.emulator.control.waitForIdle();
    const payment = (await h.store.findPayment({ id: intent.paymentId }))!;
    expect(payment.credited).toBe(true);

    // The same signed event twice: recorded once, then a duplicate.
    const event = {
      id: `evt_metrics_${Date.now()}`,
      object: 'event',
      type: 'customer.created',
      created: Math.floor(Date.now() / 1000),
      livemode: false,
      data: { object: { id: 'cus_1', object: 'customer' } },
    };
    const { payload, header } = signedEvent(h, event);
    expect((await postWebhook(h, payload, header)).status).toBe(200);
    expect((await postWebhook(h, payload, header)).status).toBe(200);
    const forged = h.stripe.webhooks.generateTestHeaderString({ payload, secret: 'whsec_wrong' });
    expect((await postWebhook(h, payload, forged)).status).toBe(400);

    const after = await scrape();
    const d = (name: string, labels: Record<string, string> = {}) =>
      delta(before, after, `${M}${name}`, labels);
    expect(
      d('http_requests_total', { method: 'POST', route: '/api/auth/signup', status: '201' }),
    ).toBe(1);
    expect(d('credits_total', { flow: 'spent' })).toBe(cost);
    expect(d('credits_total', { flow: 'refunded' })).toBe(cost);
    expect(d('credits_total', { flow: 'sold' })).toBe(payment.credits);
    expect(d('credits_total', { flow: 'clawed_back' })).toBe(0);
    expect(d('payments_total', { event: 'created' })).toBe(1);
    expect(d('payments_total', { event: 'succeeded' })).toBe(1);
    expect(d('payments_total', { event: 'failed' })).toBe(0);
    expect(d('video_render_failures_total', { reason: 'failed' })).toBe(1);
    expect(d('video_render_duration_seconds_count', { outcome: 'failed' })).toBe(1);
    // The emulator's own deliveries for the purchase, plus our three.
    const received = d('webhooks_total', { result: 'received' });
    expect(received).toBeGreaterThanOrEqual(4);
    expect(d('webhooks_total', { result: 'duplicate' })).toBe(1);
    expect(d('webhooks_total', { result: 'rejected' })).toBe(1);
    expect(d('webhooks_total', { result: 'failed' })).toBe(0);
    expect(
      d('http_requests_total', { method: 'POST', route: '/api/payments/webhook', status: '200' }),
    ).toBe(received - 1);
  });

  it('shows queue depth and outbox backlog from the database, and counts database refusals', async () => {
    const before = await scrape();
    expect(value(before, `${M}video_queue_depth`, { status: 'queued' })).toBe(0);
    expect(value(before, `${M}video_queue_depth`, { status: 'processing' })).toBe(0);
    expect(value(before, `${M}mail_outbox_backlog`)).toBeGreaterThanOrEqual(0);
    expect(value(before, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);

    const queued = await generate(h, user);
    const id = queued.body.video.id as string;
    await waitFor(() => gate.isRendering(id));
    const rendering = await scrape();
    expect(value(rendering, `${M}video_queue_depth`, { status: 'processing' })).toBe(1);

    // SQLite's read-only switch stands in for a database that refuses writes.
    const { db } = sqliteAdapterInternals(h.store);
    db.pragma('query_only = ON');
    try {
      expect((await generate(h, user)).status).toBe(503);
    } finally {
      db.pragma('query_only = OFF');
    }
    const after = await scrape();
    expect(delta(before, after, `${M}database_errors_total`, { kind: 'unavailable' })).toBe(1);
    await gate.succeed(id);
    await waitForTerminal(h, user, id);
  });
});
