import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { PaymentHistory } from '../../src/components/PaymentHistory';
import { emulatorConfig, payment } from '../fixtures';
import { balanceResponse, fakeFetch, renderWithProviders } from '../helpers';

// Issue 15, defect 7: a 3-D Secure payment interrupted by a reload stayed "Needs
// authentication" forever; the history now offers to complete or cancel it.
const PI = 'pi_waiting';
const waiting = payment({ id: 'pay_w', status: 'requires_action' });
const page = { page: 1, pageSize: 10, total: 1, totalPages: 1 };

function network() {
  return fakeFetch({
    'GET /api/config': () => ({ json: emulatorConfig }),
    'GET /api/credits/balance': () => ({ json: balanceResponse(10) }),
    'GET /api/credits/transactions': () => ({ json: { transactions: [], pagination: page } }),
    'GET /api/payments/history': () => ({ json: { payments: [waiting], pagination: page } }),
    'POST /api/payments/pay_w/resume': () => ({
      json: {
        paymentId: 'pay_w',
        paymentIntentId: PI,
        clientSecret: `${PI}_secret_x`,
        amountCents: 2499,
        currency: 'usd',
        credits: 160,
      },
    }),
    [`POST /emulator/stripe/v1/payment_intents/${PI}/authenticate`]: () => ({
      json: { id: PI, status: 'succeeded' },
    }),
    'POST /api/payments/confirm': () => ({
      json: { payment: payment({ id: 'pay_w', status: 'succeeded' }), creditBalance: 170 },
    }),
    'POST /api/payments/pay_w/cancel': () => ({
      json: { payment: payment({ id: 'pay_w', status: 'canceled' }), creditBalance: 10 },
    }),
  });
}

describe('a payment waiting for 3-D Secure', () => {
  it('can be completed from the payment history: the challenge opens again', async () => {
    const net = network();
    renderWithProviders(<PaymentHistory />, { route: '/credits' });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Complete payment' }));
    await user.click(await screen.findByRole('button', { name: 'Complete authentication' }));
    await waitFor(() => expect(net.to('POST', '/api/payments/confirm')).toHaveLength(1));
    const [auth] = net.to('POST', `/emulator/stripe/v1/payment_intents/${PI}/authenticate`);
    expect(auth!.body).toContain(`${PI}_secret_x`);
    expect(
      net.to('POST', '/api/payments/pay_w/resume')[0]!.headers.get('Idempotency-Key'),
    ).toBeTruthy();
  });

  it('can be canceled from the payment history', async () => {
    const net = network();
    renderWithProviders(<PaymentHistory />, { route: '/credits' });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Cancel payment' }));
    await waitFor(() => expect(net.to('POST', '/api/payments/pay_w/cancel')).toHaveLength(1));
    expect(
      net.to('POST', '/api/payments/pay_w/cancel')[0]!.headers.get('Idempotency-Key'),
    ).toBeTruthy();
  });
});
