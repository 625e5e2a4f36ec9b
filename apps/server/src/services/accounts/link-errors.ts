import { AppError } from '../../errors.ts';

/** One code for every unusable link; the message says whether asking for a new one helps. */
export function linkError(
  kind: 'invalid' | 'expired' | 'email_taken',
  what: 'verification' | 'reset' | 'email change',
): AppError {
  if (kind === 'email_taken') {
    return new AppError('EMAIL_TAKEN', 'Another account uses that email address now');
  }
  if (kind === 'expired') {
    return new AppError('INVALID_TOKEN', `This ${what} link has expired; ask for a new one`, {
      reason: 'expired',
    });
  }
  return new AppError('INVALID_TOKEN', `This ${what} link is invalid or has already been used`, {
    reason: 'invalid',
  });
}
