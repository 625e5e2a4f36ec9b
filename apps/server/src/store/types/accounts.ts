import type { MailDraft } from './mail.ts';
import type { UserRecord } from './users-sessions.ts';

export type AccountTokenPurpose = 'verify_email' | 'reset_password' | 'change_email';

/** A new single-use link token: only its hash is stored. */
export interface NewAccountToken {
  tokenHash: string;
  purpose: AccountTokenPurpose;
  /** The address the link was sent to (for an email change: the new address). */
  email: string;
  expiresAt: string;
}

export type TokenUse<T> =
  { kind: 'ok'; value: T } | { kind: 'invalid' } | { kind: 'expired' } | { kind: 'email_taken' };

export interface CreateAccountInput {
  id: string;
  email: string;
  name: string;
  passwordHash: string;
  signupBonus: number;
  bonusMailboxHash: string;
  now: string;
  verification: NewAccountToken;
  mail: MailDraft[];
}

export type CreateAccountResult = { user: UserRecord; bonusGranted: boolean } | 'email_taken';

export interface IssueAccountTokenInput {
  userId: string;
  token: NewAccountToken;
  now: string;
  mail: MailDraft[];
}

export interface RequestPasswordResetInput {
  email: string;
  token: Omit<NewAccountToken, 'email'>;
  now: string;
  mail: (user: UserRecord) => MailDraft[];
}

export interface FindAccountTokenInput {
  tokenHash: string;
  purpose: AccountTokenPurpose;
  now: string;
}

/** Using a verification or an email-change token. */
export interface UseTokenInput {
  tokenHash: string;
  now: string;
}

export interface UseResetTokenInput {
  tokenHash: string;
  userId: string;
  passwordHash: string;
  now: string;
}

export interface SetNotificationSettingsInput {
  userId: string;
  refundNotice: boolean;
  lowBalance: boolean;
  now: string;
}

export interface DeleteAccountInput {
  userId: string;
  now: string;
}

export interface DeleteAccountResult {
  forfeited: number;
  videoFiles: string[];
  activeVideoIds: string[];
}

/** The account layer: verified sign-up, link tokens, settings and deletion. */
export interface AccountsStore {
  /**
   * Signup with the account layer: the user, the signup bonus only if `bonusMailboxHash` has
   * not had one (the mailbox row and the bonus in one transaction), the verification token and
   * its mail, all in one transaction.
   */
  createAccount(input: CreateAccountInput): Promise<CreateAccountResult>;
  /** Stores a link token for the user and queues its mail, in one transaction. */
  issueAccountToken(input: IssueAccountTokenInput): Promise<void>;
  /**
   * A reset request for an address that may not have an account: when it has one, the token
   * and its mail are stored; either way the same transaction runs, so both answers take the
   * same path through the database. `mail` is built for the user found.
   */
  requestPasswordReset(input: RequestPasswordResetInput): Promise<boolean>;
  /** The live (unused, unexpired) token with this hash and purpose, and its user. */
  findAccountToken(
    input: FindAccountTokenInput,
  ): Promise<TokenUse<{ user: UserRecord; email: string }>>;
  /** Uses a verification token: marks the address verified if it is still the user's. */
  useVerificationToken(input: UseTokenInput): Promise<TokenUse<UserRecord>>;
  /**
   * Uses a reset token: sets the hash, revokes every session, voids the user's other reset
   * tokens, in one transaction; a token used or voided meanwhile is `invalid`.
   */
  useResetToken(input: UseResetTokenInput): Promise<TokenUse<UserRecord>>;
  /** Uses an email-change token: the new address becomes the (verified) login address. */
  useEmailChangeToken(input: UseTokenInput): Promise<TokenUse<UserRecord>>;
  setNotificationSettings(input: SetNotificationSettingsInput): Promise<UserRecord | null>;
  /**
   * Deletes an account: credits forfeited (one ledger entry), active videos canceled without
   * refund, sessions, tokens and unsent mail removed, personal data overwritten. The row, the
   * ledger and the payments stay, tied to the anonymous id. Returns the video files to delete.
   */
  deleteAccount(input: DeleteAccountInput): Promise<DeleteAccountResult | null>;
}
