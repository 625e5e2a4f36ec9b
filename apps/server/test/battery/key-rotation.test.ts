import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../helpers/harness.ts';
import { pay, postWebhook, startPurchase } from '../helpers/payments.ts';
import {
  startProcessWorld,
  startServerProcess,
  type ProcessWorld,
} from './support/server-process.ts';

/**
 * Rotating secrets without logging anyone out: JWT keys with key ids (several live at once,
 * the newest signs, a retired one stops working), and a Stripe webhook endpoint secret roll
 * (two secrets accepted at once).
 */

const OLD = `old-${'a'.repeat(40)}`;
const K1 = `k1-secret-${'b'.repeat(40)}`;
const K2 = `k2-secret-${'c'.repeat(40)}`;

const kidOf = (token: string): unknown =>
  (JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { kid?: unknown }).kid;

describe('JWT key rotation with live sessions', () => {
  let w: ProcessWorld | undefined;
  afterAll(async () => w?.close());

  const me = async (token: string) => (await w!.call('GET', '/api/auth/me', { token })).status;
  const restart = async (env: Record<string, string>) => {
    await w!.proc.stop();
    w!.proc = await startServerProcess(w!.dir, env);
  };
  const login = async (email: string) => {
    const res = await w!.call('POST', '/api/auth/login', {
      body: { email, password: 'correct horse battery' },
    });
    expect(res.status, res.text).toBe(200);
    return (res.body as { token: string }).token;
  };

  it('old tokens keep working, new ones carry the newest kid, retired keys are refused', async () => {
    // 1. One secret, no key ids (as before rotation existed).
    w = await startProcessWorld({ JWT_SECRET: OLD });
    const user = await w.signup();
    const email = (
      (await w.call('GET', '/api/auth/me', { token: user.token })).body as {
        user: { email: string };
      }
    ).user.email;
    const legacy = user.token;
    expect(kidOf(legacy)).toBeUndefined();

    // 2. A first key id added: it signs; the old secret still verifies tokens without a kid.
    await restart({ JWT_SECRETS: `k1:${K1}`, JWT_SECRET: OLD });
    expect(await me(legacy)).toBe(200);
    const t1 = await login(email);
    expect(kidOf(t1)).toBe('k1');
    expect(await me(t1)).toBe(200);

    // 3. A newer key in front: it signs, k1 and the old secret still verify.
    await restart({ JWT_SECRETS: `k2:${K2},k1:${K1}`, JWT_SECRET: OLD });
    const t2 = await login(email);
    expect(kidOf(t2)).toBe('k2');
    expect([await me(legacy), await me(t1), await me(t2)]).toEqual([200, 200, 200]);

    // 4. k1 and the old secret retired: their tokens are refused, the sessions' newest is not.
    await restart({ JWT_SECRETS: `k2:${K2}` });
    expect([await me(legacy), await me(t1), await me(t2)]).toEqual([401, 401, 200]);
    // A token naming a kid the server does not know is refused, not tried with another key.
    const [, payload, signature] = t2.split('.');
    const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: 'k9' })).toString(
      'base64url',
    );
    expect(await me(`${header}.${payload}.${signature}`)).toBe(401);
    await w.assertInvariants();
  });
});

describe('Stripe webhook endpoint secret roll', () => {
  const NEW_SECRET = `whsec_new${'n'.repeat(30)}`;
  const OLD_SECRET = `whsec_old${'o'.repeat(30)}`;
  let h: Harness;
  afterEach(async () => h?.assertInvariants());
  afterAll(async () => h?.close());

  const event = (id: string) =>
    JSON.stringify({
      id,
      object: 'event',
      type: 'customer.created',
      created: Math.floor(Date.now() / 1000),
      livemode: false,
      data: { object: { id: 'cus_roll', object: 'customer' } },
    });

  it('accepts deliveries signed with either live secret and refuses any other', async () => {
    h = await createHarness({ STRIPE_WEBHOOK_SECRET: `${NEW_SECRET}, ${OLD_SECRET}` });
    expect(h.config.stripe.webhookSecrets).toEqual([NEW_SECRET, OLD_SECRET]);

    // The emulator signs with the first secret: a whole purchase settles through it.
    const user = await h.signup();
    const intent = await startPurchase(h, user);
    await pay(h, intent.paymentIntentId);
    await h.emulator.control.waitForIdle();
    expect((await h.store.findPayment({ id: intent.paymentId }))!.credited).toBe(true);

    const sign = (payload: string, secret: string) =>
      h.stripe.webhooks.generateTestHeaderString({ payload, secret });
    for (const secret of [NEW_SECRET, OLD_SECRET]) {
      const payload = event(`evt_roll_${secret.slice(6, 9)}_${Date.now()}`);
      const res = await postWebhook(h, payload, sign(payload, secret));
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
    const unknown = event(`evt_roll_unknown_${Date.now()}`);
    const refused = await postWebhook(h, unknown, sign(unknown, `whsec_other${'x'.repeat(30)}`));
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('INVALID_SIGNATURE');
    const stored = await h.data.countRows({
      table: 'stripe_events',
      where: { id: { like: 'evt_roll_%' } },
    });
    expect(stored).toBe(2);
  });
});
