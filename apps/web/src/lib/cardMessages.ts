/**
 * Stripe's failure texts are written for developers in places ("You can provide
 * payment_method_data ..."). Known failures get a sentence for the payer; others pass through.
 */
const AUTHENTICATION_FAILED =
  'Your bank could not confirm this payment (3-D Secure authentication failed). You have not been charged. Try again or use another card.';

const BY_CODE: Record<string, string> = {
  payment_intent_authentication_failure: AUTHENTICATION_FAILED,
  authentication_required: AUTHENTICATION_FAILED,
  expired_card: 'Your card has expired. Use another card.',
  incorrect_cvc: 'The security code (CVC) is incorrect.',
  incorrect_number: 'The card number is incorrect.',
  insufficient_funds: 'Your card has insufficient funds. Use another card.',
  processing_error: 'Your card could not be processed. Try again in a moment.',
};

export function friendlyCardMessage(
  message: string | null | undefined,
  code?: string | null,
): string | null {
  if (code && BY_CODE[code]) return BY_CODE[code];
  if (message && /failed authentication|unable to authenticate/i.test(message)) {
    return AUTHENTICATION_FAILED;
  }
  return message ?? null;
}
