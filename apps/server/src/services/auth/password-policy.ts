import { AppError } from '../../errors.ts';
import { estimateStrength } from './password-strength.ts';

/**
 * zxcvbn score 2 means "somewhat guessable" (about 10^6 to 10^8 guesses): it refuses the
 * dictionary's common passwords, keyboard walks, sequences and repeats, and still accepts a
 * short phrase of ordinary words.
 */
export const MIN_PASSWORD_SCORE = 2;

const DEFAULT_SUGGESTION = 'Try a short phrase of three or four uncommon words.';

/** Throws WEAK_PASSWORD (400) with why and what to do instead. */
export async function assertStrongPassword(
  password: string,
  about: { email: string; name?: string },
): Promise<void> {
  const localPart = about.email.split('@')[0] ?? '';
  const inputs = [about.email, localPart, ...(about.name ? [about.name] : [])];
  const result = await estimateStrength(password, inputs);
  if (result.score >= MIN_PASSWORD_SCORE) return;
  const why = result.warning ?? 'It would be easy to guess.';
  const suggestions = result.suggestions.length > 0 ? result.suggestions : [DEFAULT_SUGGESTION];
  throw new AppError(
    'WEAK_PASSWORD',
    `This password is too easy to guess. ${why} ${suggestions.join(' ')}`,
    { warning: why, suggestions },
  );
}
