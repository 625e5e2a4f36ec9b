import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './helpers.ts';

/**
 * A succeeded charge has a `receipt_url`, as on Stripe: a public page at an unguessable URL
 * that shows that one charge, read-only.
 */

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

async function paidCharge(paymentMethod = 'pm_card_visa') {
  const pi = await h.stripe.paymentIntents.create({
    amount: 2900,
    currency: 'usd',
    description: 'Pro package <b>',
    payment_method: paymentMethod,
    confirm: true,
    expand: ['latest_charge'],
  });
  return pi.latest_charge as { id: string; receipt_url: string | null };
}

describe('receipt pages', () => {
  it('a succeeded charge links a receipt page under the emulator URL that shows it', async () => {
    const charge = await paidCharge();
    expect(charge.receipt_url).toMatch(new RegExp(`^${h.url}/receipts/payment/[A-Za-z0-9]{48}$`));
    const res = await fetch(charge.receipt_url!);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await res.text();
    expect(html).toContain('$29.00');
    expect(html).toContain('4242');
    expect(html).toContain(charge.id);
    // Escaped, never markup.
    expect(html).toContain('Pro package &#60;b&#62;');
  });

  it('needs no key, and every other receipt path is a 404', async () => {
    const charge = await paidCharge();
    const url = new URL(charge.receipt_url!);
    for (const path of [
      `/receipts/payment/${'x'.repeat(48)}`,
      `${url.pathname.slice(0, -1)}`,
      `${url.pathname}/more`,
      '/receipts/',
    ]) {
      expect((await fetch(`${h.url}${path}`)).status, path).toBe(404);
    }
    expect((await fetch(charge.receipt_url!, { method: 'POST' })).status).toBe(404);
  });

  it('a declined charge has none; setReceiptBaseUrl changes where new ones point', async () => {
    const declined = await h.stripe.paymentIntents
      .create({
        amount: 500,
        currency: 'usd',
        payment_method: 'pm_card_chargeDeclined',
        confirm: true,
      })
      .then(
        () => null,
        (err: { raw?: { payment_intent?: { latest_charge?: string } } }) => err.raw,
      );
    const chargeId = declined?.payment_intent?.latest_charge;
    expect(chargeId).toBeTruthy();
    const charge = await h.stripe.charges.retrieve(chargeId!);
    expect(charge.receipt_url).toBeNull();

    h.emulator.setReceiptBaseUrl('https://app.example.test/emulator/stripe/');
    const next = await paidCharge();
    expect(next.receipt_url).toMatch(
      /^https:\/\/app\.example\.test\/emulator\/stripe\/receipts\/payment\/[A-Za-z0-9]{48}$/,
    );
  });
});
