/** Stripe's documented test cards; the emulator reacts to the same numbers. */
export interface TestCard {
  number: string;
  label: string;
  outcome: string;
}

export const TEST_CARDS: readonly TestCard[] = [
  { number: '4242 4242 4242 4242', label: 'Succeeds', outcome: 'Payment succeeds' },
  { number: '4000 0000 0000 0002', label: 'Declined', outcome: 'Card is declined' },
  { number: '4000 0027 6000 3184', label: '3-D Secure', outcome: 'Asks for authentication' },
];

export const TEST_CARD_EXPIRY = '12 / 30';
export const TEST_CARD_CVC = '123';
