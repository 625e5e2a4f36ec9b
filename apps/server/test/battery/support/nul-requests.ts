import { expect } from 'vitest';
import { WRITABLE_TABLES, type TestData } from '../../../src/store/test-data.ts';
import { call, errorCode } from './client.ts';

/**
 * Requests that carry the NUL character (U+0000) in every place a client can put text: JSON
 * string values and keys, path segments and query values. PostgreSQL cannot store NUL in text,
 * so each of these must be refused with the same 400 on both adapters, before any write.
 */
interface NulRequest {
  what: string;
  method: string;
  path: string;
  body?: unknown;
  auth: boolean;
}

const NUL = '\u0000';

const NUL_REQUESTS: readonly NulRequest[] = [
  {
    what: 'signup name',
    method: 'POST',
    path: '/api/auth/signup',
    body: { email: 'nul-name@example.com', password: 'correct horse battery', name: `a${NUL}b` },
    auth: false,
  },
  {
    what: 'signup password',
    method: 'POST',
    path: '/api/auth/signup',
    body: { email: 'nul-pass@example.com', password: `correct horse${NUL}battery`, name: 'N' },
    auth: false,
  },
  {
    what: 'login password',
    method: 'POST',
    path: '/api/auth/login',
    body: { email: 'nobody@example.com', password: `pass${NUL}word` },
    auth: false,
  },
  {
    what: 'forgot-password email',
    method: 'POST',
    path: '/api/auth/forgot-password',
    body: { email: `nobody${NUL}@example.com` },
    auth: false,
  },
  {
    what: 'reset-password token',
    method: 'POST',
    path: '/api/auth/reset-password',
    body: { token: `${'t'.repeat(20)}${NUL}`, newPassword: 'correct horse battery' },
    auth: false,
  },
  {
    what: 'verify-email token',
    method: 'POST',
    path: '/api/auth/verify-email',
    body: { token: `${'t'.repeat(20)}${NUL}` },
    auth: false,
  },
  {
    what: 'generate prompt',
    method: 'POST',
    path: '/api/video/generate',
    body: { prompt: `a${NUL}b`, durationMinutes: 1, resolution: '720p' },
    auth: true,
  },
  {
    what: 'a JSON key',
    method: 'POST',
    path: '/api/credits/calculate-cost',
    body: { [`durationMinutes${NUL}`]: 1, durationMinutes: 1, resolution: '720p' },
    auth: true,
  },
  {
    what: 'confirm payment intent id',
    method: 'POST',
    path: '/api/payments/confirm',
    body: { paymentIntentId: `pi_${NUL}` },
    auth: true,
  },
  { what: 'video id in the path', method: 'GET', path: '/api/video/v%00', auth: true },
  { what: 'payment id in the path', method: 'GET', path: '/api/payments/p%00', auth: true },
  {
    what: 'payment id to cancel',
    method: 'POST',
    path: '/api/payments/p%00/cancel',
    body: {},
    auth: true,
  },
  { what: 'a query value', method: 'GET', path: '/api/credits/transactions?page=1%00', auth: true },
  // Last: if it were accepted, it would end the session the requests above use.
  {
    what: 'change-password new password',
    method: 'POST',
    path: '/api/auth/change-password',
    body: { currentPassword: 'correct horse battery', newPassword: `correct horse${NUL}staple` },
    auth: true,
  },
];

/**
 * Sends every NUL request as a signed-up user and expects each to be refused with a 400 that
 * names the field, leaving every table a request can write to exactly as it was.
 */
export async function expectNulRequestsRefused(o: {
  baseUrl: string;
  token: string;
  data: TestData;
}): Promise<void> {
  const before = await o.data.countAll({ tables: WRITABLE_TABLES });
  const answers: Record<string, unknown> = {};
  for (const r of NUL_REQUESTS) {
    const res = await call(o.baseUrl, r.method, r.path, {
      body: r.body,
      token: r.auth ? o.token : undefined,
    });
    answers[r.what] = { status: res.status, code: errorCode(res) };
  }
  const refused = { status: 400, code: 'VALIDATION_ERROR' };
  expect(answers).toEqual(Object.fromEntries(NUL_REQUESTS.map((r) => [r.what, refused])));
  expect(await o.data.countAll({ tables: WRITABLE_TABLES })).toEqual(before);
}
