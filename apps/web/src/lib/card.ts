/** Client-side checks of a typed card so obvious typos never reach the payment service. */

export function digitsOnly(value: string): string {
  return value.replace(/\D/g, '');
}

/** "4242424242424242" → "4242 4242 4242 4242" while typing. */
export function formatCardNumber(value: string): string {
  return digitsOnly(value)
    .slice(0, 19)
    .replace(/(\d{4})(?=\d)/g, '$1 ');
}

/** "1230" → "12 / 30" while typing. */
export function formatExpiry(value: string): string {
  const digits = digitsOnly(value).slice(0, 4);
  return digits.length > 2 ? `${digits.slice(0, 2)} / ${digits.slice(2)}` : digits;
}

function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

export interface CardFormErrors {
  number?: string;
  expiry?: string;
  cvc?: string;
}

export interface ParsedCard {
  number: string;
  expMonth: number;
  expYear: number;
  cvc: string;
}

export function validateCard(
  input: { number: string; expiry: string; cvc: string },
  now = new Date(),
): { card: ParsedCard | null; errors: CardFormErrors } {
  const errors: CardFormErrors = {};
  const number = digitsOnly(input.number);
  if (number.length < 13 || number.length > 19 || !luhnValid(number)) {
    errors.number = 'Enter a valid card number.';
  }
  const exp = digitsOnly(input.expiry);
  const expMonth = Number(exp.slice(0, 2));
  const expYear = 2000 + Number(exp.slice(2, 4));
  if (exp.length !== 4 || expMonth < 1 || expMonth > 12) {
    errors.expiry = 'Enter the expiry date as MM / YY.';
  } else if (
    expYear < now.getFullYear() ||
    (expYear === now.getFullYear() && expMonth < now.getMonth() + 1)
  ) {
    errors.expiry = 'This card has expired.';
  }
  const cvc = digitsOnly(input.cvc);
  if (cvc.length < 3 || cvc.length > 4) errors.cvc = 'Enter the 3 or 4 digit security code.';
  const valid = Object.keys(errors).length === 0;
  return { card: valid ? { number, expMonth, expYear, cvc } : null, errors };
}
