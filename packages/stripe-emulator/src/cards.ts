// Stripe's documented test cards (https://docs.stripe.com/testing) and the behaviour each one
// triggers. Numbers outside this table are treated as real cards, which test mode declines.

export interface Decline {
  code: string;
  declineCode: string;
  message: string;
  outcomeType: 'issuer_declined' | 'blocked';
  sellerMessage: string;
}

export type CardBehavior =
  | { kind: 'succeed' }
  | { kind: 'succeed_then_dispute' }
  | { kind: 'decline'; decline: Decline }
  | { kind: 'authenticate'; then: { kind: 'succeed' } | { kind: 'decline'; decline: Decline } };

export interface TestCard {
  number: string;
  brand: string;
  funding: 'credit' | 'debit';
  country: string;
  behavior: CardBehavior;
  description: string;
}

const BANK_DECLINED = 'The bank did not return any further details with this decline.';

function decline(
  code: string,
  declineCode: string,
  message: string,
  sellerMessage = BANK_DECLINED,
  outcomeType: Decline['outcomeType'] = 'issuer_declined',
): { kind: 'decline'; decline: Decline } {
  return { kind: 'decline', decline: { code, declineCode, message, sellerMessage, outcomeType } };
}

export const DECLINES = {
  generic: decline('card_declined', 'generic_decline', 'Your card was declined.'),
  insufficientFunds: decline(
    'card_declined',
    'insufficient_funds',
    'Your card has insufficient funds.',
    'The bank returned the decline code `insufficient_funds`.',
  ),
  lost: decline('card_declined', 'lost_card', 'Your card was declined.'),
  stolen: decline('card_declined', 'stolen_card', 'Your card was declined.'),
  expired: decline('expired_card', 'expired_card', 'Your card has expired.'),
  incorrectCvc: decline(
    'incorrect_cvc',
    'incorrect_cvc',
    "Your card's security code is incorrect.",
  ),
  processing: decline(
    'processing_error',
    'processing_error',
    'An error occurred while processing your card. Try again in a little bit.',
  ),
  fraudulent: decline(
    'card_declined',
    'fraudulent',
    'Your card was declined.',
    'Stripe blocked this payment as too risky.',
    'blocked',
  ),
  liveCard: decline(
    'card_declined',
    'test_mode_live_card',
    'Your card was declined. Your request was in test mode, but used a non test (live) card. For a list of valid test cards, visit: https://stripe.com/docs/testing.',
  ),
  authenticationRequired: decline(
    'authentication_required',
    'authentication_required',
    'Your card was declined. This transaction requires authentication.',
  ),
} as const;

const SUCCEED = { kind: 'succeed' } as const;

function card(
  number: string,
  brand: string,
  behavior: CardBehavior,
  description: string,
  funding: TestCard['funding'] = 'credit',
): TestCard {
  return { number, brand, funding, country: 'US', behavior, description };
}

export const TEST_CARDS: readonly TestCard[] = [
  card('4242424242424242', 'visa', SUCCEED, 'Succeeds'),
  card('4000056655665556', 'visa', SUCCEED, 'Succeeds (debit)', 'debit'),
  card('5555555555554444', 'mastercard', SUCCEED, 'Succeeds'),
  card('378282246310005', 'amex', SUCCEED, 'Succeeds'),
  card('6011111111111117', 'discover', SUCCEED, 'Succeeds'),
  card('4000000000000002', 'visa', DECLINES.generic, 'Declined: generic_decline'),
  card('4000000000009995', 'visa', DECLINES.insufficientFunds, 'Declined: insufficient_funds'),
  card('4000000000009987', 'visa', DECLINES.lost, 'Declined: lost_card'),
  card('4000000000009979', 'visa', DECLINES.stolen, 'Declined: stolen_card'),
  card('4000000000000069', 'visa', DECLINES.expired, 'Declined: expired_card'),
  card('4000000000000127', 'visa', DECLINES.incorrectCvc, 'Declined: incorrect_cvc'),
  card('4000000000000119', 'visa', DECLINES.processing, 'Declined: processing_error'),
  card('4100000000000019', 'visa', DECLINES.fraudulent, 'Blocked: fraudulent'),
  card(
    '4000002760003184',
    'visa',
    { kind: 'authenticate', then: SUCCEED },
    '3D Secure required, then succeeds',
  ),
  card(
    '4000002500003155',
    'visa',
    { kind: 'authenticate', then: SUCCEED },
    '3D Secure required, then succeeds',
  ),
  card(
    '4000000000003220',
    'visa',
    { kind: 'authenticate', then: SUCCEED },
    '3D Secure 2 required, then succeeds',
  ),
  card(
    '4000008400001629',
    'visa',
    { kind: 'authenticate', then: DECLINES.generic },
    '3D Secure required, then declined',
  ),
  card('4000000000000259', 'visa', { kind: 'succeed_then_dispute' }, 'Succeeds, then disputed'),
];

/** Stripe's `pm_card_*` test PaymentMethod tokens, mapped onto the test card they stand for. */
export const PAYMENT_METHOD_TOKENS: Readonly<Record<string, string>> = {
  pm_card_visa: '4242424242424242',
  pm_card_visa_debit: '4000056655665556',
  pm_card_mastercard: '5555555555554444',
  pm_card_amex: '378282246310005',
  pm_card_discover: '6011111111111117',
  pm_card_chargeDeclined: '4000000000000002',
  pm_card_chargeDeclinedInsufficientFunds: '4000000000009995',
  pm_card_chargeDeclinedLostCard: '4000000000009987',
  pm_card_chargeDeclinedStolenCard: '4000000000009979',
  pm_card_chargeDeclinedExpiredCard: '4000000000000069',
  pm_card_chargeDeclinedIncorrectCvc: '4000000000000127',
  pm_card_chargeDeclinedProcessingError: '4000000000000119',
  pm_card_chargeDeclinedFraudulent: '4100000000000019',
  pm_card_authenticationRequired: '4000002760003184',
  pm_card_threeDSecure2Required: '4000000000003220',
  pm_card_authenticationRequiredChargeDeclined: '4000008400001629',
  pm_card_createDispute: '4000000000000259',
};

export function luhnValid(number: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = number.length - 1; i >= 0; i--) {
    let digit = number.charCodeAt(i) - 48;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return sum % 10 === 0;
}

export function brandOf(number: string): string {
  if (/^4/.test(number)) return 'visa';
  if (/^(5[1-5]|2[2-7])/.test(number)) return 'mastercard';
  if (/^3[47]/.test(number)) return 'amex';
  if (/^(6011|65|64[4-9])/.test(number)) return 'discover';
  if (/^35/.test(number)) return 'jcb';
  if (/^3(0|6|8|9)/.test(number)) return 'diners';
  return 'unknown';
}

export type CardLookup = { ok: true; card: TestCard } | { ok: false };

/** Resolves a raw card number; `ok: false` means it is not a plausible card number at all. */
export function lookupCard(raw: string): CardLookup {
  const number = raw.replace(/[\s-]/g, '');
  if (!/^\d{12,19}$/.test(number) || !luhnValid(number)) return { ok: false };
  const known = TEST_CARDS.find((c) => c.number === number);
  if (known) return { ok: true, card: known };
  return {
    ok: true,
    card: card(number, brandOf(number), DECLINES.liveCard, 'Not a test card'),
  };
}
