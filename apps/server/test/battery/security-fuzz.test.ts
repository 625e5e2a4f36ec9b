import fc from 'fast-check';
import { parse as parseQueryString } from 'node:querystring';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import * as S from '@app/shared';
import { createHarness, type Harness, type TestUser } from '../helpers/harness.ts';
import { waitForTerminal } from '../helpers/video.ts';
import {
  buyCredits,
  propertySeed,
  raw,
  rowCounts,
  SQL_INJECTIONS,
  type RawResponse,
} from './security-helpers.ts';

/**
 * A7: property fuzz of every JSON endpoint. One harness and one user for speed: each run
 * compares table counts instead of the full invariants, which are checked once at the end.
 */

const RUNS = 1000;
const MASS_ASSIGNMENT_KEYS = ['creditBalance', 'cost', 'userId', 'role', 'amount'];

let h: Harness;
let user: TestUser;
let other: TestUser;
let ownVideoId: string;
let otherVideoId: string;
let ownPayment: { paymentId: string; paymentIntentId: string };
let otherPayment: { paymentId: string; paymentIntentId: string };
const prototypeKeysBefore = Object.getOwnPropertyNames(Object.prototype).sort();

beforeAll(async () => {
  h = await createHarness({
    RATE_LIMIT_LOGIN_PER_ACCOUNT: '1000000',
    RATE_LIMIT_LOGIN_PER_IP: '1000000',
    RATE_LIMIT_SIGNUP_PER_IP: '1000000',
  });
  user = await h.signup({ email: 'fuzz-owner@example.com' });
  other = await h.signup({ email: 'fuzz-other@example.com' });
  ownPayment = await buyCredits(h, user, 4);
  otherPayment = await buyCredits(h, other, 1);
  for (const [u, set] of [
    [user, (id: string) => (ownVideoId = id)],
    [other, (id: string) => (otherVideoId = id)],
  ] as const) {
    const res = await raw(h, '/api/video/generate', {
      token: u.token,
      body: JSON.stringify({ prompt: 'fixture', durationMinutes: 1, resolution: '720p' }),
    });
    expect(res.status).toBe(202);
    set((res.json as S.GenerateVideoResponse).video.id);
    await waitForTerminal(h, u, (res.json as S.GenerateVideoResponse).video.id);
  }
  // Deliveries of events the fuzz causes (payment_intent.created) would change row counts
  // between a request and its check; they are held until the end.
  h.emulator.control.pauseDelivery();
}, 60_000);

afterAll(async () => {
  h.emulator.control.resumeDelivery();
  await h.emulator.control.waitForIdle();
  await h.worker.stop();
  await h.assertInvariants();
  // Nothing a request sent (`__proto__`, `constructor.prototype`) reached Object.prototype.
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeysBefore);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  await h.close();
});

// ---------- arbitraries ----------

const BOUNDARY_NUMBERS = [
  0,
  -0,
  1,
  -1,
  0.5,
  1e-9,
  Number.MIN_VALUE,
  59.999999,
  60,
  60.000001,
  61,
  100,
  101,
  4000,
  4001,
  1_000_000,
  1_000_001,
  2 ** 31,
  2 ** 53,
  Number.MAX_SAFE_INTEGER,
  -Number.MAX_SAFE_INTEGER,
  1e308,
];
/** Number spellings that only JSON text can carry: 1e999 parses to Infinity. */
const RAW_NUMBER_TEXTS = [
  '1e999',
  '-1e999',
  '1e-400',
  '123456789012345678901234567890',
  '-0.0',
  '1E1',
  '0.1e1',
];
const TEN_KB = 10 * 1024;
const longStrings = fc.constantFrom(
  'x'.repeat(TEN_KB),
  '😀'.repeat(TEN_KB / 4),
  `${'a'.repeat(TEN_KB)}@example.com`,
  `${"' OR 1=1 -- ".repeat(TEN_KB / 12)}`,
);
const anyString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  fc.constantFrom(...SQL_INJECTIONS),
  longStrings,
);
const boundaryNumber = fc.constantFrom(...BOUNDARY_NUMBERS);
const anyJson = fc.jsonValue({ maxDepth: 3 });

/** The JSON text of a field's value: mostly plausible, sometimes anything at all. */
const valueText = (plausible: fc.Arbitrary<unknown>) =>
  fc.oneof(
    { weight: 6, arbitrary: plausible.map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: anyJson.map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: boundaryNumber.map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.constantFrom(...RAW_NUMBER_TEXTS) },
    { weight: 1, arbitrary: anyString.map((v) => JSON.stringify(v)) },
  );

const extraKey = fc.oneof(
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    ...MASS_ASSIGNMENT_KEYS,
    'id',
    'status',
    'toString',
  ),
  fc.string({ maxLength: 20 }),
);
/** `{"__proto__": {"polluted": true}}` and friends, which only JSON text can carry. */
const pollution = fc.constantFrom(
  '{"polluted":true}',
  '{"creditBalance":1000000,"polluted":true}',
  '{"prototype":{"polluted":true}}',
);

const INVALID_JSON = ['{', '{"a":', "{'a':1}", '{"a":1,}', 'NaN', '[1,]', '{"a":01}', '\u0000'];

/** Object text built entry by entry, so duplicate and `__proto__` keys survive. */
function bodyText(
  fields: Record<string, fc.Arbitrary<unknown>>,
  valid: fc.Arbitrary<unknown>,
): fc.Arbitrary<string | undefined> {
  const entries = Object.entries(fields).map(([key, arb]) =>
    fc.option(
      valueText(arb).map((text) => [key, text] as const),
      { nil: undefined, freq: 8 },
    ),
  );
  const extras = fc.oneof(
    { weight: 5, arbitrary: fc.constant([] as (readonly [string, string])[]) },
    {
      weight: 2,
      arbitrary: fc.array(
        fc.tuple(extraKey, fc.oneof(valueText(anyJson), pollution)) as fc.Arbitrary<
          readonly [string, string]
        >,
        { minLength: 1, maxLength: 3 },
      ),
    },
  );
  const object = fc
    .tuple(fc.tuple(...entries), extras, fc.boolean())
    .map(([fieldEntries, extra, extrasFirst]) => {
      const present = fieldEntries.filter((e) => e !== undefined);
      const all = extrasFirst ? [...extra, ...present] : [...present, ...extra];
      return `{${all.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`;
    });
  return fc.oneof(
    { weight: 4, arbitrary: valid.map((v) => (v === undefined ? undefined : JSON.stringify(v))) },
    { weight: 12, arbitrary: object },
    { weight: 2, arbitrary: anyJson.map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constantFrom(...INVALID_JSON) },
  );
}

/** NUL in any string or key is refused before the schema sees the body (security-nul-text). */
function holdsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (value === null || typeof value !== 'object') return false;
  return Object.entries(value).some(([k, v]) => k.includes('\u0000') || holdsNul(v));
}

/** What express.json (strict) hands the route: objects and arrays only. */
function asServerSees(
  text: string | undefined,
): { parsed: true; value: unknown } | { parsed: false } {
  if (text === undefined || text === '') return { parsed: true, value: undefined };
  const first = text.trimStart()[0];
  if (first !== '{' && first !== '[') return { parsed: false };
  try {
    return { parsed: true, value: JSON.parse(text) };
  } catch {
    return { parsed: false };
  }
}

// ---------- per-endpoint plausible fields, from the shared schemas' constraints ----------

const emailArb = fc
  .tuple(fc.stringMatching(/^[a-z0-9]{1,16}$/), fc.stringMatching(/^[a-z]{1,10}$/))
  .map(([local, domain]) => `${local}@${domain}.example.com`);
const passwordArb = fc.string({ unit: 'grapheme', minLength: 6, maxLength: 80 });
const duration = fc.oneof(
  fc.integer({ min: 1, max: S.MAX_DURATION_MINUTES }),
  fc.double({ min: -1, max: S.MAX_DURATION_MINUTES + 1, noNaN: true }),
  boundaryNumber,
);
const nonBlank = (max: number) =>
  fc.string({ minLength: 1, maxLength: max }).filter((v) => v.trim().length > 0);
const validCost = {
  durationMinutes: fc.oneof(
    fc.integer({ min: 1, max: S.MAX_DURATION_MINUTES }),
    fc.double({ min: S.MIN_DURATION_MINUTES, max: S.MAX_DURATION_MINUTES, noNaN: true }),
  ),
  resolution: fc.constantFrom(...S.RESOLUTIONS),
  customMusic: fc.boolean(),
  premiumTTS: fc.boolean(),
  aiEnhancement: fc.boolean(),
};
const costFields = {
  durationMinutes: duration,
  resolution: fc.oneof(
    fc.constantFrom(...S.RESOLUTIONS),
    fc.constantFrom('480p', '4k', '720P', ''),
  ),
  customMusic: fc.oneof(fc.boolean(), fc.constantFrom('true', 1, 0, null)),
  premiumTTS: fc.boolean(),
  aiEnhancement: fc.boolean(),
};

interface BodyEndpoint {
  name: string;
  path: () => string;
  /** Request schema as the route parses it. */
  schema: z.ZodType;
  ok: [number, z.ZodType];
  /** Every status a schema-valid body may get (documented in the OpenAPI table). */
  validStatuses: number[];
  fields: Record<string, fc.Arbitrary<unknown>>;
  /** Bodies the schema accepts, so the valid side is exercised as well. */
  valid: fc.Arbitrary<unknown>;
  anonymous?: boolean;
}

const BODY_ENDPOINTS: BodyEndpoint[] = [
  {
    name: 'POST /api/auth/signup',
    path: () => '/api/auth/signup',
    schema: S.SignupRequestSchema,
    ok: [201, S.AuthResponseSchema],
    // 400 WEAK_PASSWORD: a schema-valid password the strength check refuses (writes nothing).
    validStatuses: [201, 400, 409],
    anonymous: true,
    fields: {
      email: fc.oneof(
        emailArb,
        fc.constantFrom('fuzz-owner@example.com', 'FUZZ-OTHER@example.com'),
      ),
      password: passwordArb,
      name: fc.string({ minLength: 0, maxLength: 110 }),
    },
    valid: fc.record({
      email: emailArb,
      password: fc.string({ unit: 'grapheme-ascii', minLength: 8, maxLength: 64 }),
      name: nonBlank(100),
    }),
  },
  {
    name: 'POST /api/auth/login',
    path: () => '/api/auth/login',
    schema: S.LoginRequestSchema,
    ok: [200, S.AuthResponseSchema],
    validStatuses: [200, 401],
    anonymous: true,
    fields: {
      email: fc.oneof(emailArb, fc.constant('fuzz-owner@example.com')),
      password: fc.oneof(passwordArb, fc.constant('correct horse battery')),
    },
    valid: fc.record({
      email: fc.oneof(emailArb, fc.constant('fuzz-owner@example.com')),
      password: fc.oneof(nonBlank(100), fc.constant('correct horse battery')),
    }),
  },
  {
    name: 'POST /api/credits/calculate-cost',
    path: () => '/api/credits/calculate-cost',
    schema: S.CalculateCostRequestSchema,
    ok: [200, S.CalculateCostResponseSchema],
    validStatuses: [200],
    fields: costFields,
    valid: fc.record(validCost, { requiredKeys: ['durationMinutes', 'resolution'] }),
  },
  {
    name: 'POST /api/video/generate',
    path: () => '/api/video/generate',
    schema: S.GenerateVideoRequestSchema,
    ok: [202, S.GenerateVideoResponseSchema],
    validStatuses: [202, 402],
    fields: { ...costFields, prompt: fc.string({ minLength: 0, maxLength: 120 }) },
    valid: fc.record(
      { ...validCost, prompt: nonBlank(200) },
      { requiredKeys: ['durationMinutes', 'resolution', 'prompt'] },
    ),
  },
  {
    name: 'POST /api/video/:id/cancel',
    path: () => `/api/video/${ownVideoId}/cancel`,
    schema: S.CancelVideoRequestSchema,
    ok: [200, S.VideoResponseSchema],
    // The fixture video is completed: a valid cancel is refused as INVALID_STATE.
    validStatuses: [409],
    fields: {},
    valid: fc.constantFrom(undefined, {}),
  },
  {
    name: 'POST /api/payments/create-intent',
    path: () => '/api/payments/create-intent',
    schema: S.CreatePaymentIntentRequestSchema,
    ok: [201, S.CreatePaymentIntentResponseSchema],
    validStatuses: [201, 404],
    fields: {
      packageId: fc.oneof(fc.constantFrom(...S.CREDIT_PACKAGES.map((p) => p.id)), fc.integer()),
    },
    valid: fc.record({
      packageId: fc.oneof(
        fc.constantFrom(...S.CREDIT_PACKAGES.map((p) => p.id)),
        fc.integer({ min: 1, max: 4000 }),
      ),
    }),
  },
  {
    name: 'POST /api/payments/confirm',
    path: () => '/api/payments/confirm',
    schema: S.ConfirmPaymentRequestSchema,
    ok: [200, S.ConfirmPaymentResponseSchema],
    validStatuses: [200, 404],
    fields: {
      paymentIntentId: fc.oneof(
        fc.constant('OWN'),
        fc.constant('OTHER'),
        fc.string({ minLength: 3, maxLength: 40 }).map((s) => `pi_${s}`),
      ),
    },
    valid: fc.record({
      paymentIntentId: fc.oneof(
        fc.constantFrom('OWN', 'OTHER'),
        fc.string({ minLength: 3, maxLength: 40 }).map((s) => `pi_${s}`),
      ),
    }),
  },
];

/** Placeholders become the fixture's real ids when the body is sent. */
function substitute(text: string | undefined): string | undefined {
  return text
    ?.replaceAll('"OWN"', JSON.stringify(ownPayment.paymentIntentId))
    .replaceAll('"OTHER"', JSON.stringify(otherPayment.paymentIntentId));
}

/**
 * Node's HTTP parser refuses a request line over its 16 KiB header limit with 431 before the
 * app sees it; the 10 kB strings, percent-encoded, get there.
 */
const tooLongForNode = (res: RawResponse, url: string) =>
  res.status === 431 && url.length > 8 * 1024;

function expectErrorBody(res: RawResponse) {
  const body = S.ErrorBodySchema.safeParse(res.json);
  expect(body.success, `error body ${res.status}: ${res.text.slice(0, 300)}`).toBe(true);
}

describe('A7: property fuzz of every JSON body endpoint', () => {
  it.each(BODY_ENDPOINTS)(
    '$name: never 5xx; invalid is 400 and writes nothing; valid gets a documented status',
    async (ep) => {
      const seed = propertySeed(`A7 ${ep.name}`);
      const tally: Record<string, number> = {};
      await fc.assert(
        fc.asyncProperty(bodyText(ep.fields, ep.valid), async (generated) => {
          const text = substitute(generated);
          const before = await rowCounts(h);
          const res = await raw(h, ep.path(), {
            method: 'POST',
            body: text,
            token: ep.anonymous ? undefined : user.token,
          });
          const context = `${ep.name} ${res.status} for ${text?.slice(0, 200)}: ${res.text.slice(0, 300)}`;
          expect(res.status, context).toBeLessThan(500);
          const seen = asServerSees(text);
          const valid =
            seen.parsed && !holdsNul(seen.value) && ep.schema.safeParse(seen.value).success;
          const label = `${valid ? 'valid' : 'invalid'} ${res.status}`;
          tally[label] = (tally[label] ?? 0) + 1;
          if (!valid) {
            expect(res.status, context).toBe(400);
            expectErrorBody(res);
            expect(await rowCounts(h), context).toEqual(before);
            return;
          }
          expect(ep.validStatuses, context).toContain(res.status);
          if (res.status === ep.ok[0]) {
            const parsed = ep.ok[1].safeParse(res.json);
            expect(parsed.success, context).toBe(true);
          } else {
            expectErrorBody(res);
            expect(await rowCounts(h), context).toEqual(before);
          }
        }),
        { numRuns: RUNS, seed, endOnFailure: true },
      );
      console.log(`A7 ${ep.name} outcomes: ${JSON.stringify(tally)}`);
      // The generator must reach the valid side too, or the property proves little.
      const validRuns = Object.entries(tally)
        .filter(([k]) => k.startsWith('valid'))
        .reduce((n, [, v]) => n + v, 0);
      expect(validRuns).toBeGreaterThanOrEqual(RUNS / 50);
    },
    120_000,
  );
});

// ---------- the webhook ----------

const EVENT_TYPES = [
  'payment_intent.succeeded',
  'payment_intent.payment_failed',
  'payment_intent.canceled',
  'payment_intent.requires_action',
  'charge.refunded',
  'charge.dispute.created',
  'charge.dispute.closed',
  'customer.created',
];
const fuzzId = (prefix: string) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.stringMatching(/^[A-Za-z0-9]{4,24}$/).map((s) => `${prefix}${s}`) },
    { weight: 1, arbitrary: anyJson },
    { weight: 1, arbitrary: anyString },
  );
const eventLike = fc.record(
  {
    id: fuzzId('evt_fuzz_'),
    object: fc.constant('event'),
    type: fc.oneof(fc.constantFrom(...EVENT_TYPES), anyString, anyJson),
    created: fc.oneof(fc.integer(), anyJson),
    data: fc.oneof(
      {
        weight: 5,
        arbitrary: fc.record(
          {
            object: fc.oneof(
              {
                weight: 5,
                arbitrary: fc.record(
                  {
                    id: fuzzId('pi_fuzz_'),
                    object: fc.constantFrom('payment_intent', 'charge', 'dispute'),
                    status: fc.oneof(
                      fc.constantFrom(
                        'succeeded',
                        'canceled',
                        'requires_action',
                        'requires_payment_method',
                        'lost',
                        'won',
                      ),
                      anyJson,
                    ),
                    amount: fc.oneof(fc.integer(), boundaryNumber, anyJson),
                    amount_received: fc.oneof(fc.integer(), boundaryNumber, anyJson),
                    amount_refunded: fc.oneof(fc.integer(), boundaryNumber, anyJson),
                    amount_captured: fc.oneof(fc.integer(), anyJson),
                    currency: fc.oneof(fc.constantFrom('usd', 'eur', 'USD'), anyJson),
                    paid: fc.oneof(fc.boolean(), anyJson),
                    payment_intent: fc.oneof(
                      fuzzId('pi_fuzz_'),
                      fc.record({ id: fuzzId('pi_fuzz_') }),
                      fc.constant(null),
                    ),
                    last_payment_error: fc.oneof(
                      fc.constant(null),
                      fc.record({ message: fc.oneof(anyString, anyJson) }),
                      anyJson,
                    ),
                    metadata: fc.oneof(fc.dictionary(fc.string(), fc.string()), anyJson),
                  },
                  { requiredKeys: [] },
                ),
              },
              { weight: 1, arbitrary: anyJson },
            ),
          },
          { requiredKeys: [] },
        ),
      },
      { weight: 1, arbitrary: anyJson },
    ),
  },
  { requiredKeys: [] },
);

describe('A7: property fuzz of the webhook', () => {
  it('unsigned or wrongly signed payloads: always 400, nothing written', async () => {
    const seed = propertySeed('A7 webhook unsigned');
    const header = fc.oneof(
      fc.constant(undefined),
      anyString.filter((s) => /^[\x20-\x7e]*$/.test(s)),
      fc.integer().map((t) => `t=${t},v1=${'0'.repeat(64)}`),
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(eventLike, anyJson), header, async (payload, signature) => {
        const before = await rowCounts(h);
        const res = await raw(h, '/api/payments/webhook', {
          body: JSON.stringify(payload) ?? 'null',
          headers: signature === undefined ? {} : { 'Stripe-Signature': signature },
        });
        expect(res.status, res.text).toBe(400);
        expectErrorBody(res);
        expect(await rowCounts(h)).toEqual(before);
      }),
      { numRuns: RUNS, seed, endOnFailure: true },
    );
  }, 120_000);

  it('correctly signed but arbitrary payloads: never 5xx; 2xx records at most the one event', async () => {
    const seed = propertySeed('A7 webhook signed');
    await fc.assert(
      fc.asyncProperty(
        fc.oneof({ weight: 4, arbitrary: eventLike }, { weight: 1, arbitrary: anyJson }),
        async (payload) => {
          const body = JSON.stringify(payload) ?? 'null';
          const signature = h.stripe.webhooks.generateTestHeaderString({
            payload: body,
            secret: h.config.stripe.webhookSecret,
          });
          const before = await rowCounts(h);
          const res = await raw(h, '/api/payments/webhook', {
            body,
            headers: { 'Stripe-Signature': signature },
          });
          const context = `${res.status} for ${body.slice(0, 300)}: ${res.text.slice(0, 300)}`;
          expect(res.status, context).toBeLessThan(500);
          const after = await rowCounts(h);
          if (res.status >= 400) {
            expect([400], context).toContain(res.status);
            expectErrorBody(res);
            expect(after, context).toEqual(before);
          } else {
            expect(res.status, context).toBe(200);
            // Fuzzed events never name a real PaymentIntent: only the event itself is recorded.
            expect({ ...after, stripe_events: before.stripe_events }, context).toEqual(before);
            expect(after.stripe_events - before.stripe_events, context).toBeLessThanOrEqual(1);
          }
        },
      ),
      { numRuns: RUNS, seed, endOnFailure: true },
    );
  }, 120_000);
});

// ---------- query strings and path parameters ----------

/** encodeURIComponent refuses lone surrogates; a client would send U+FFFD for them. */
function encodePathSegment(s: string): string {
  return encodeURIComponent(
    s.replace(/[\uD800-\uDFFF]/g, (c, i: number, all: string) => {
      const code = c.charCodeAt(0);
      const next = all.charCodeAt(i + 1);
      const prev = all.charCodeAt(i - 1);
      const paired =
        (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) ||
        (code >= 0xdc00 && prev >= 0xd800 && prev <= 0xdbff);
      return paired ? c : '\uFFFD';
    }),
  );
}

interface QueryEndpoint {
  path: string;
  /** Absent for routes that read no query parameters: they answer 200 whatever it says. */
  schema?: z.ZodType;
  ok: z.ZodType;
  keys: Record<string, fc.Arbitrary<string>>;
}

const numberText = fc.oneof(
  fc.integer({ min: -5, max: 200 }).map(String),
  boundaryNumber.map(String),
  fc.constantFrom(...RAW_NUMBER_TEXTS, '1.5', ' 1', '0x10', '1e2', ''),
);
const dateText = fc.oneof(
  fc
    .date({ min: new Date('1970-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
    .map((d) => d.toISOString()),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
  fc.constantFrom(
    '2024-02-30',
    'yesterday',
    '9999-12-31T23:59:59Z',
    '+275760-09-13T00:00:00.000Z',
    '',
  ),
);
const paging = { page: numberText, pageSize: numberText };
const QUERY_ENDPOINTS: QueryEndpoint[] = [
  {
    path: '/api/credits/transactions',
    schema: S.TransactionsQuerySchema,
    ok: S.TransactionsResponseSchema,
    keys: {
      ...paging,
      type: fc.oneof(fc.constantFrom(...S.TRANSACTION_TYPES), anyString),
      from: dateText,
      to: dateText,
    },
  },
  {
    path: '/api/credits/video-history',
    schema: S.VideoHistoryQuerySchema,
    ok: S.VideoHistoryResponseSchema,
    keys: { ...paging, status: fc.oneof(fc.constantFrom(...S.VIDEO_STATUSES), anyString) },
  },
  {
    path: '/api/payments/history',
    schema: S.PaginationQuerySchema,
    ok: S.PaymentHistoryResponseSchema,
    keys: paging,
  },
  { path: '/api/credits/balance', ok: S.BalanceResponseSchema, keys: {} },
  { path: '/api/credits/packages', ok: S.PackagesResponseSchema, keys: {} },
  { path: '/api/auth/me', ok: S.MeResponseSchema, keys: {} },
  { path: '/api/config', ok: S.ClientConfigSchema, keys: {} },
];

function queryArb(keys: Record<string, fc.Arbitrary<string>>) {
  const known = Object.entries(keys).map(([k, arb]) =>
    fc.option(
      fc
        .array(arb, { minLength: 1, maxLength: 2 })
        .map((vs) => vs.map((v) => [k, v] as [string, string])),
      {
        nil: undefined,
        freq: 3,
      },
    ),
  );
  const unknown = fc.oneof(
    { weight: 4, arbitrary: fc.constant([] as [string, string][]) },
    {
      weight: 1,
      arbitrary: fc.array(
        fc.tuple(fc.oneof(extraKey, fc.constantFrom('page[]', 'a[b]', '')), anyString),
        {
          maxLength: 2,
        },
      ),
    },
  );
  return fc.tuple(fc.tuple(...known), unknown).map(([k, u]) => {
    const params = new URLSearchParams();
    for (const pairs of k) for (const [name, value] of pairs ?? []) params.append(name, value);
    for (const [name, value] of u) params.append(name, value);
    return params.toString();
  });
}

describe('A7: property fuzz of every JSON GET endpoint', () => {
  it.each(QUERY_ENDPOINTS)(
    'GET $path?<fuzz>: never 5xx; valid query 200 with the response schema, else 400',
    async (ep) => {
      const seed = propertySeed(`A7 GET ${ep.path}`);
      await fc.assert(
        fc.asyncProperty(queryArb(ep.keys), async (qs) => {
          const before = await rowCounts(h);
          const res = await raw(h, `${ep.path}?${qs}`, { token: user.token });
          const context = `${ep.path}?${qs.slice(0, 300)} -> ${res.status}: ${res.text.slice(0, 300)}`;
          expect(res.status, context).toBeLessThan(500);
          expect(await rowCounts(h), context).toEqual(before);
          if (tooLongForNode(res, qs)) return;
          // NUL anywhere in the URL is refused before the schema sees it (security-nul-text).
          const valid =
            !/%00/i.test(qs) && (!ep.schema || ep.schema.safeParse(parseQueryString(qs)).success);
          if (res.status === 200) {
            expect(valid, context).toBe(true);
            expect(ep.ok.safeParse(res.json).success, context).toBe(true);
          } else {
            expect(res.status, context).toBe(400);
            expectErrorBody(res);
            // A schema-valid query is refused only for an inverted date range.
            if (valid) expect(res.text, context).toContain('`from` must be before `to`');
          }
        }),
        { numRuns: RUNS, seed, endOnFailure: true },
      );
    },
    120_000,
  );

  const idText = fc.oneof(
    { weight: 4, arbitrary: anyString.map(encodePathSegment) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('%', '%E0%A4%A', '%ZZ', '%00', '..%2F..%2Fetc%2Fpasswd', '%2e%2e'),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom('OWN_VIDEO', 'OTHER_VIDEO', 'OWN_PAYMENT', 'OTHER_PAYMENT'),
    },
  );
  const resolveId = (id: string) =>
    id
      .replace('OWN_VIDEO', ownVideoId)
      .replace('OTHER_VIDEO', otherVideoId)
      .replace('OWN_PAYMENT', ownPayment.paymentId)
      .replace('OTHER_PAYMENT', otherPayment.paymentId);

  it.each([
    ['/api/video/:id', (id: string) => `/api/video/${id}`, S.VideoResponseSchema, 'OWN_VIDEO'],
    [
      '/api/payments/:id',
      (id: string) => `/api/payments/${id}`,
      S.PaymentResponseSchema,
      'OWN_PAYMENT',
    ],
    ['/api/video/:id/file?token=', (id: string) => `/api/video/${id}/file?token=${id}`, null, null],
    ['/api/video/:id/events', (id: string) => `/api/video/${id}/events`, null, 'OWN_VIDEO'],
  ] as const)(
    "GET %s with fuzzed ids: never 5xx; only the owner's own id is 200",
    async (name, url, okSchema, ownId) => {
      const seed = propertySeed(`A7 GET ${name}`);
      await fc.assert(
        fc.asyncProperty(idText, async (id) => {
          const res = await raw(h, url(resolveId(id)), { token: user.token });
          const context = `${url(id).slice(0, 300)} -> ${res.status}: ${res.text.slice(0, 200)}`;
          expect(res.status, context).toBeLessThan(500);
          if (tooLongForNode(res, url(id))) return;
          if (id === ownId) {
            expect(res.status, context).toBe(200);
            if (okSchema) expect(okSchema.safeParse(res.json).success, context).toBe(true);
          } else {
            expect([400, 401, 404], context).toContain(res.status);
            expectErrorBody(res);
          }
        }),
        { numRuns: RUNS, seed, endOnFailure: true },
      );
    },
    120_000,
  );
});

// ---------- sizes, content types and encodings ----------

const POSTS = [
  '/api/auth/signup',
  '/api/auth/login',
  '/api/credits/calculate-cost',
  '/api/video/generate',
  '/api/video/OWN/cancel',
  '/api/payments/create-intent',
  '/api/payments/confirm',
];

describe('A7: sizes and content types on every POST', () => {
  it.each(POSTS)('%s: a 1 MiB body is 413 and writes nothing', async (path) => {
    const before = await rowCounts(h);
    const body = JSON.stringify({ prompt: 'x'.repeat(1024 * 1024 - 13) });
    expect(Buffer.byteLength(body)).toBe(1024 * 1024);
    const res = await raw(h, path.replace('OWN', ownVideoId), { body, token: user.token });
    expect(res.status).toBe(413);
    expect((res.json as S.ErrorBody).error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(await rowCounts(h)).toEqual(before);
  });

  it('the webhook refuses a body over 1 MiB with 413 (its raw limit is exactly 1 MiB)', async () => {
    const before = await rowCounts(h);
    const res = await raw(h, '/api/payments/webhook', {
      body: JSON.stringify({ id: 'evt_big', pad: 'x'.repeat(1024 * 1024) }),
      headers: { 'Stripe-Signature': 't=1,v1=00' },
    });
    expect(res.status).toBe(413);
    expect(await rowCounts(h)).toEqual(before);
  });

  const WRONG_TYPES = [
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/xml',
    'application/json-patch+json',
    'application/json; charset=utf-16',
    'application/json; charset=latin1',
  ];
  it.each(POSTS)(
    '%s: a wrong content type or encoding is 400 or 415 and writes nothing',
    async (path) => {
      const url = path.replace('OWN', ownVideoId);
      const json = JSON.stringify({
        email: 'ct@example.com',
        password: 'password123',
        name: 'x',
        packageId: 1,
      });
      for (const type of WRONG_TYPES) {
        const before = await rowCounts(h);
        const res = await raw(h, url, {
          body: json,
          token: user.token,
          headers: { 'Content-Type': type },
        });
        expect([400, 415], `${type}: ${res.status} ${res.text}`).toContain(res.status);
        expectErrorBody(res);
        expect(await rowCounts(h)).toEqual(before);
      }
      for (const encoding of ['gzip', 'deflate', 'br', 'compress', 'identity, gzip']) {
        const before = await rowCounts(h);
        const res = await raw(h, url, {
          body: 'definitely not compressed',
          token: user.token,
          headers: { 'Content-Type': 'application/json', 'Content-Encoding': encoding },
        });
        expect([400, 415], `${encoding}: ${res.status} ${res.text}`).toContain(res.status);
        expectErrorBody(res);
        expect(await rowCounts(h)).toEqual(before);
      }
    },
  );
});
