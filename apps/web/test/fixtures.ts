import type { ClientConfig, CreditPackageDto, Payment, Transaction } from '@app/shared';

export const emulatorConfig: ClientConfig = {
  stripeMode: 'emulator',
  stripePublishableKey: 'pk_test_emulator',
  stripeEmulatorUrl: '/emulator/stripe',
  lowBalanceThreshold: 10,
  requireVerifiedEmail: false,
};

export const proPackage: CreditPackageDto = {
  id: 2,
  name: 'Pro',
  credits: 150,
  bonusCredits: 10,
  totalCredits: 160,
  priceCents: 2499,
  currency: 'usd',
  bestValue: true,
};

export function payment(overrides: Partial<Payment> = {}): Payment {
  return {
    id: 'pay_1',
    packageId: 2,
    packageName: 'Pro',
    amountCents: 2499,
    currency: 'usd',
    credits: 160,
    status: 'succeeded',
    amountRefundedCents: 0,
    creditsClawedBack: 0,
    failureMessage: null,
    card: null,
    hasReceipt: true,
    stripeReceiptUrl: null,
    createdAt: '2025-01-02T10:00:00.000Z',
    updatedAt: '2025-01-02T10:00:00.000Z',
    ...overrides,
  };
}

export function transaction(id: number, overrides: Partial<Transaction> = {}): Transaction {
  return {
    id,
    type: 'usage',
    amount: -5,
    balanceAfter: 5,
    referenceType: 'video',
    referenceId: `vid_${id}`,
    description: `Video ${id}`,
    createdAt: '2025-01-02T10:00:00.000Z',
    ...overrides,
  };
}

const emptyPage = { page: 1, pageSize: 20, total: 0, totalPages: 0 };

/** fakeFetch routes for an account with no history yet (what the modal's refreshes read). */
export const emptyHistoryRoutes = {
  'GET /api/auth/me': () => ({
    status: 404,
    json: { error: { code: 'NOT_FOUND', message: 'x' } },
  }),
  'GET /api/credits/transactions': () => ({ json: { transactions: [], pagination: emptyPage } }),
  'GET /api/payments/history': () => ({ json: { payments: [], pagination: emptyPage } }),
  'GET /api/credits/video-history': () => ({ json: { videos: [], pagination: emptyPage } }),
};

/** The server's 201 to create-intent for the Pro pack, for an intent the test names. */
export function proIntentCreated(paymentIntentId: string, clientSecret: string) {
  return {
    status: 201,
    json: {
      paymentId: 'pay_1',
      paymentIntentId,
      clientSecret,
      amountCents: 2499,
      currency: 'usd',
      credits: 160,
    },
  };
}
