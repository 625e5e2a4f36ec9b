import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { PurchaseModal } from '../src/components/PurchaseModal';
import {
  emptyHistoryRoutes,
  emulatorConfig,
  payment,
  proIntentCreated,
  proPackage,
} from './fixtures';
import { balanceResponse, fakeFetch, renderWithProviders, type RecordedRequest } from './helpers';

const PI = 'pi_test_123';
const CONFIRM_URL = `/emulator/stripe/v1/payment_intents/${PI}/confirm`;
const AUTH_URL = `/emulator/stripe/v1/payment_intents/${PI}/authenticate`;

type EmulatorReply = { status?: number; json: unknown };

function network(emulator: {
  confirm: EmulatorReply;
  authenticate?: (req: RecordedRequest) => EmulatorReply;
}) {
  return fakeFetch({
    'GET /api/config': () => ({ json: emulatorConfig }),
    'GET /api/credits/balance': () => ({ json: balanceResponse(10) }),
    ...emptyHistoryRoutes,
    'POST /api/payments/create-intent': () => proIntentCreated(PI, `${PI}_secret_abc`),
    [`POST ${CONFIRM_URL}`]: () => emulator.confirm,
    [`POST ${AUTH_URL}`]: (req) => emulator.authenticate!(req),
    'POST /api/payments/confirm': () => ({
      json: { payment: payment({ status: 'succeeded' }), creditBalance: 170 },
    }),
  });
}

function open(onClose = vi.fn()) {
  renderWithProviders(<PurchaseModal pkg={proPackage} onClose={onClose} />, { route: '/credits' });
  return onClose;
}

async function payWith(cardLabel: RegExp) {
  const user = userEvent.setup();
  await user.click(await screen.findByRole('button', { name: cardLabel }));
  await user.click(screen.getByRole('button', { name: 'Pay $24.99' }));
  return user;
}

describe('PurchaseModal', () => {
  it('is a labelled modal dialog that traps focus and closes on Escape', async () => {
    network({ confirm: { json: {} } });
    const onClose = open();
    const dialog = screen.getByRole('dialog', { name: 'Buy Pro' });
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    const cardNumber = await screen.findByLabelText('Card number');
    expect(document.activeElement).toBe(cardNumber);

    const user = userEvent.setup();
    const close = screen.getByRole('button', { name: 'Close' });
    const pay = screen.getByRole('button', { name: 'Pay $24.99' });
    pay.focus();
    await user.tab();
    expect(document.activeElement).toBe(close); // wrapped from the last control to the first
    await user.tab({ shift: true });
    expect(document.activeElement).toBe(pay); // and back
    for (let i = 0; i < 12; i++) {
      await user.tab();
      expect(dialog.contains(document.activeElement)).toBe(true);
    }
    await user.keyboard('{Escape}');
    expect(onClose).toHaveBeenCalledTimes(1);
  });

  it('pays with 4242 through the emulator, then confirms with the server', async () => {
    const net = network({ confirm: { json: { id: PI, status: 'succeeded', next_action: null } } });
    open();
    await payWith(/4242 4242 4242 4242/);
    expect(await screen.findByText('Payment successful: 160 credits added')).toBeTruthy();
    expect(screen.getByText(/Your balance is now 170 credits/)).toBeTruthy();

    const [intent] = net.to('POST', '/api/payments/create-intent');
    expect(JSON.parse(intent!.body)).toEqual({ packageId: 2 });
    expect(intent!.headers.get('Idempotency-Key')).toMatch(/^[0-9a-f-]{36}$/);

    const [confirm] = net.to('POST', CONFIRM_URL);
    expect(confirm!.headers.get('Authorization')).toBe('Bearer pk_test_emulator');
    expect(confirm!.headers.get('Content-Type')).toBe('application/x-www-form-urlencoded');
    const form = new URLSearchParams(confirm!.body);
    expect(form.get('client_secret')).toBe(`${PI}_secret_abc`);
    expect(form.get('payment_method_data[type]')).toBe('card');
    expect(form.get('payment_method_data[card][number]')).toBe('4242424242424242');
    expect(form.get('payment_method_data[card][exp_month]')).toBe('12');
    expect(form.get('payment_method_data[card][exp_year]')).toBe('2030');
    expect(form.get('payment_method_data[card][cvc]')).toBe('123');
    expect(confirm!.body).toContain('payment_method_data%5Bcard%5D%5Bnumber%5D=4242424242424242');

    const [serverConfirm] = net.to('POST', '/api/payments/confirm');
    expect(JSON.parse(serverConfirm!.body)).toEqual({ paymentIntentId: PI });
  });

  it('shows a declined card message and never confirms the payment', async () => {
    const net = network({
      confirm: {
        status: 402,
        json: {
          error: { type: 'card_error', code: 'card_declined', message: 'Your card was declined.' },
        },
      },
    });
    open();
    await payWith(/4000 0000 0000 0002/);
    expect((await screen.findByTestId('payment-error')).textContent).toBe(
      'Your card was declined.',
    );
    expect(net.to('POST', '/api/payments/confirm')).toHaveLength(0);
    // They can try again with the form still there.
    expect((screen.getByRole('button', { name: 'Pay $24.99' }) as HTMLButtonElement).disabled).toBe(
      false,
    );
  });

  it('runs 3-D Secure: approving the challenge completes the purchase', async () => {
    const net = network({
      confirm: {
        json: { id: PI, status: 'requires_action', next_action: { type: 'use_stripe_sdk' } },
      },
      authenticate: () => ({ json: { id: PI, status: 'succeeded' } }),
    });
    open();
    const user = await payWith(/4000 0027 6000 3184/);
    const challenge = await screen.findByRole('alertdialog', { name: /Confirm this payment/ });
    const approve = screen.getByRole('button', { name: 'Complete authentication' });
    expect(document.activeElement).toBe(approve);
    expect(challenge.contains(document.activeElement)).toBe(true);
    await user.click(approve);
    expect(await screen.findByText('Payment successful: 160 credits added')).toBeTruthy();
    const [auth] = net.to('POST', AUTH_URL);
    expect(new URLSearchParams(auth!.body).get('outcome')).toBe('approve');
    expect(net.to('POST', '/api/payments/confirm')).toHaveLength(1);
  });

  it('runs 3-D Secure: failing the challenge shows why and adds nothing', async () => {
    const net = network({
      confirm: {
        json: { id: PI, status: 'requires_action', next_action: { type: 'use_stripe_sdk' } },
      },
      authenticate: () => ({
        json: {
          id: PI,
          status: 'requires_payment_method',
          last_payment_error: {
            message: 'We are unable to authenticate your payment method.',
            code: 'payment_intent_authentication_failure',
          },
        },
      }),
    });
    const onClose = open();
    const user = await payWith(/4000 0027 6000 3184/);
    await screen.findByRole('alertdialog');
    // Escape in the challenge only dismisses the challenge (as a failure), not the checkout.
    await user.keyboard('{Escape}');
    expect((await screen.findByTestId('payment-error')).textContent).toMatch(
      /^Your bank could not confirm this payment \(3-D Secure authentication failed\)\. You have not been charged\./,
    );
    expect(onClose).not.toHaveBeenCalled();
    expect(screen.queryByRole('alertdialog')).toBeNull();
    await waitFor(() =>
      expect(new URLSearchParams(net.to('POST', AUTH_URL)[0]!.body).get('outcome')).toBe('deny'),
    );
    expect(net.to('POST', '/api/payments/confirm')).toHaveLength(0);
  });

  it('validates the card before calling anyone', async () => {
    const net = network({ confirm: { json: {} } });
    open();
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Card number'), '4242 4242 4242 4241');
    await user.click(screen.getByRole('button', { name: 'Pay $24.99' }));
    expect(screen.getByText('Enter a valid card number.')).toBeTruthy();
    expect(screen.getByText('Enter the expiry date as MM / YY.')).toBeTruthy();
    expect(net.to('POST', '/api/payments/create-intent')).toHaveLength(0);
  });
});
