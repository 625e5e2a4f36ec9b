import type { ReactNode } from 'react';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { PurchaseModal } from '../src/components/PurchaseModal';
import { emptyHistoryRoutes, payment, proIntentCreated, proPackage } from './fixtures';
import { balanceResponse, fakeFetch, renderWithProviders } from './helpers';

// Stripe.js itself is the boundary here (it would load from js.stripe.com).
const stripe = vi.hoisted(() => ({ confirmPayment: vi.fn() }));
vi.mock('@stripe/stripe-js', () => ({ loadStripe: vi.fn(async () => stripe) }));
vi.mock('@stripe/react-stripe-js', () => ({
  Elements: ({ children, options }: { children: ReactNode; options: { clientSecret: string } }) => (
    <div data-testid="elements" data-client-secret={options.clientSecret}>
      {children}
    </div>
  ),
  PaymentElement: () => <div data-testid="payment-element" />,
  useStripe: () => stripe,
  useElements: () => ({}),
}));

const PI = 'pi_live_1';

function network() {
  return fakeFetch({
    'GET /api/config': () => ({
      json: {
        stripeMode: 'test',
        stripePublishableKey: 'pk_test_123',
        stripeEmulatorUrl: null,
        lowBalanceThreshold: 10,
        requireVerifiedEmail: false,
      },
    }),
    'GET /api/credits/balance': () => ({ json: balanceResponse(170) }),
    ...emptyHistoryRoutes,
    'POST /api/payments/create-intent': () => proIntentCreated(PI, `${PI}_secret_x`),
    'POST /api/payments/confirm': () => ({
      json: { payment: payment({ status: 'succeeded' }), creditBalance: 170 },
    }),
  });
}

describe('PurchaseModal with real Stripe (test mode)', () => {
  it('loads the Payment Element lazily, confirms with Stripe, then with the server', async () => {
    stripe.confirmPayment.mockResolvedValueOnce({ paymentIntent: { id: PI, status: 'succeeded' } });
    const net = network();
    renderWithProviders(<PurchaseModal pkg={proPackage} onClose={vi.fn()} />);
    expect((await screen.findByTestId('elements')).dataset.clientSecret).toBe(`${PI}_secret_x`);
    expect(net.to('POST', '/api/payments/create-intent')).toHaveLength(1);
    await userEvent.setup().click(screen.getByRole('button', { name: 'Pay $24.99' }));
    expect(await screen.findByText('Payment successful: 160 credits added')).toBeTruthy();
    expect(stripe.confirmPayment).toHaveBeenCalledWith(
      expect.objectContaining({ redirect: 'if_required' }),
    );
    expect(JSON.parse(net.to('POST', '/api/payments/confirm')[0]!.body)).toEqual({
      paymentIntentId: PI,
    });
  });

  it("shows Stripe's error and does not confirm", async () => {
    stripe.confirmPayment.mockResolvedValueOnce({
      error: { type: 'card_error', message: 'Your card has insufficient funds.' },
    });
    const net = network();
    renderWithProviders(<PurchaseModal pkg={proPackage} onClose={vi.fn()} />);
    await screen.findByTestId('payment-element');
    await userEvent.setup().click(screen.getByRole('button', { name: 'Pay $24.99' }));
    expect((await screen.findByTestId('payment-error')).textContent).toBe(
      'Your card has insufficient funds.',
    );
    expect(net.to('POST', '/api/payments/confirm')).toHaveLength(0);
  });
});
