import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREDIT_PACKAGES } from '@app/shared';
import {
  createMailHarness,
  PUBLIC_URL,
  waitForMail,
  type CaughtMail,
  type MailHarness,
} from '../helpers/mail.ts';
import { chargeOf, pay, PRO, startPurchase } from '../helpers/payments.ts';
import type { TestUser } from '../helpers/harness.ts';

/**
 * Issue 13: a receipt mail once a payment is credited (exactly once, whether the webhook or
 * the browser's confirm credits it), the owner-only receipt API, card and receipt link in the
 * payment history, and the emulator's receipt page behind the same-origin proxy.
 */

let h: MailHarness;
beforeAll(async () => {
  h = await createMailHarness();
});
afterAll(async () => {
  await h.assertInvariants();
  await h.close();
});

const unique = () => `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
const pro = CREDIT_PACKAGES.find((p) => p.id === PRO)!;
const isReceipt = (user: TestUser) => (m: CaughtMail) =>
  m.to[0]?.address === user.email && m.subject.includes('receipt');

async function buy(user: TestUser) {
  const intent = await startPurchase(h, user);
  await pay(h, intent.paymentIntentId);
  // The browser confirms too: it races the webhook, and only one of them credits.
  const confirm = await h
    .http()
    .post('/api/payments/confirm')
    .set(user.auth)
    .send({ paymentIntentId: intent.paymentIntentId });
  expect(confirm.status, confirm.text).toBe(200);
  return intent;
}

describe('receipts', () => {
  it('one receipt mail per credited payment, with what was bought and the card', async () => {
    const user = await h.signup({ email: `buyer-${unique()}@example.com` });
    const intent = await buy(user);
    const [mail] = await waitForMail(h.catcher, isReceipt(user));
    for (const fact of [
      `Package: ${pro.name}`,
      `Credits: ${pro.credits}`,
      `Bonus credits: ${pro.bonusCredits}`,
      'Amount: $',
      'Currency: USD',
      'Card: Visa ending in 4242',
      `Payment ID: ${intent.paymentId}`,
      `${PUBLIC_URL}/receipts/${intent.paymentId}`,
    ]) {
      expect(mail!.text).toContain(fact);
    }
    expect(mail!.text).toMatch(/Date: \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
    expect(mail!.html).toContain('Visa ending in 4242');
    // The webhook arrives as well; wait until the emulator has delivered it, then count.
    await h.emulator.control.waitForIdle();
    await h.mailer.drain();
    const rows = await h.data.countRows({
      table: 'mail_outbox',
      where: { user_id: user.id, template: 'receipt' },
    });
    expect(rows).toBe(1);
  });

  it('the receipt API is owner-only and matches the mail; history shows card and links', async () => {
    const user = await h.signup();
    const other = await h.signup();
    const intent = await buy(user);
    const res = await h.http().get(`/api/payments/${intent.paymentId}/receipt`).set(user.auth);
    expect(res.status, res.text).toBe(200);
    expect(res.body.receipt).toMatchObject({
      paymentId: intent.paymentId,
      productName: 'Lumen Studio',
      packageName: pro.name,
      credits: pro.credits,
      bonusCredits: pro.bonusCredits,
      totalCredits: pro.credits + pro.bonusCredits,
      amountCents: pro.priceCents,
      currency: 'usd',
      card: { brand: 'visa', last4: '4242' },
    });
    expect(
      (await h.http().get(`/api/payments/${intent.paymentId}/receipt`).set(other.auth)).status,
    ).toBe(404);
    expect((await h.http().get(`/api/payments/${intent.paymentId}/receipt`)).status).toBe(401);

    const history = await h.http().get('/api/payments/history').set(user.auth);
    expect(history.body.payments[0]).toMatchObject({
      id: intent.paymentId,
      card: { brand: 'visa', last4: '4242' },
      hasReceipt: true,
    });
    const charge = await chargeOf(h, intent.paymentIntentId);
    expect(history.body.payments[0].stripeReceiptUrl).toBe(charge.receipt_url);
  });

  it('a payment not credited has no receipt', async () => {
    const user = await h.signup();
    const intent = await startPurchase(h, user);
    expect(
      (await h.http().get(`/api/payments/${intent.paymentId}/receipt`).set(user.auth)).status,
    ).toBe(404);
    const declined = await startPurchase(h, user);
    await pay(h, declined.paymentIntentId, 'pm_card_chargeDeclined').catch(() => undefined);
    const history = await h.http().get('/api/payments/history').set(user.auth);
    expect(history.body.payments.every((p: { hasReceipt: boolean }) => !p.hasReceipt)).toBe(true);
  });

  it('the webhook alone (no confirm) credits with the card details and mails the receipt', async () => {
    const user = await h.signup({ email: `hook-${unique()}@example.com` });
    const intent = await startPurchase(h, user);
    await pay(h, intent.paymentIntentId, 'pm_card_mastercard');
    const [mail] = await waitForMail(h.catcher, isReceipt(user));
    expect(mail!.text).toContain('Card: Mastercard ending in 4444');
  });
});

describe("the emulator's receipt page through the same-origin proxy", () => {
  it('is served without a key at its unguessable path only, read-only', async () => {
    const user = await h.signup();
    const intent = await buy(user);
    const charge = await chargeOf(h, intent.paymentIntentId);
    const url = new URL(charge.receipt_url!);
    const token = /\/receipts\/payment\/([A-Za-z0-9]{48})$/.exec(url.pathname)![1]!;
    const page = await h.http().get(`/emulator/stripe/receipts/payment/${token}`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.text).toContain('4242');
    expect(page.text).toContain(charge.id);
    expect(page.text).not.toContain(user.email);

    const other = 'A'.repeat(48);
    for (const path of [
      `/emulator/stripe/receipts/payment/${other}`,
      `/emulator/stripe/receipts/payment/${token.slice(1)}`,
      `/emulator/stripe/receipts/payment/${token}/x`,
      '/emulator/stripe/receipts/payment',
      '/emulator/stripe/receipts',
    ]) {
      expect((await h.http().get(path)).status, path).toBe(404);
    }
    expect(
      (await h.http().post(`/emulator/stripe/receipts/payment/${token}`).send({})).status,
    ).toBe(404);
    // The proxy still refuses the secret-key API without a key.
    expect((await h.http().get('/emulator/stripe/v1/charges')).status).toBe(404);
  });
});
