import { z } from 'zod';
import { AuthResponseSchema, EmailSchema, PasswordSchema } from './schemas.ts';

/**
 * Account flows driven by mailed links: verification, password reset, email change, plus the
 * account settings and the purchase receipt. Link tokens are opaque; the server stores only
 * their SHA-256, so a token's length is bounded here and everything else is the server's word.
 */

/** The product's name, in every mail and on every receipt. */
export const PRODUCT_NAME = 'Lumen Studio';

const LinkToken = z.string().min(16, 'The link is incomplete').max(200, 'The link is invalid');

export const SIGNUP_BONUS_WITHHELD = ['MAILBOX_ALREADY_USED'] as const;

export const SignupResponseSchema = AuthResponseSchema.extend({
  signupBonus: z.object({
    granted: z.boolean(),
    credits: z.number().int(),
    /** Why no bonus: the same mailbox (aliases included) already received one. */
    withheldReason: z.enum(SIGNUP_BONUS_WITHHELD).nullable(),
  }),
});
export type SignupResponse = z.infer<typeof SignupResponseSchema>;

export const LinkTokenRequestSchema = z.strictObject({ token: LinkToken });
export type LinkTokenRequest = z.infer<typeof LinkTokenRequestSchema>;

export const VerifyEmailResponseSchema = z.object({ verified: z.literal(true) });
export type VerifyEmailResponse = z.infer<typeof VerifyEmailResponseSchema>;

export const MailQueuedResponseSchema = z.object({ message: z.string() });
export type MailQueuedResponse = z.infer<typeof MailQueuedResponseSchema>;

export const ForgotPasswordRequestSchema = z.strictObject({ email: EmailSchema });
export type ForgotPasswordRequest = z.infer<typeof ForgotPasswordRequestSchema>;

export const ResetPasswordRequestSchema = z.strictObject({
  token: LinkToken,
  newPassword: PasswordSchema,
});
export type ResetPasswordRequest = z.infer<typeof ResetPasswordRequestSchema>;

export const ChangeEmailRequestSchema = z.strictObject({
  newEmail: EmailSchema,
  currentPassword: z.string().min(1, 'Current password is required').max(4096),
});
export type ChangeEmailRequest = z.infer<typeof ChangeEmailRequestSchema>;

export const ChangeEmailResponseSchema = z.object({
  pendingEmail: z.string(),
  message: z.string(),
});
export type ChangeEmailResponse = z.infer<typeof ChangeEmailResponseSchema>;

export const ConfirmEmailChangeResponseSchema = z.object({ email: z.string() });
export type ConfirmEmailChangeResponse = z.infer<typeof ConfirmEmailChangeResponseSchema>;

export const DeleteAccountRequestSchema = z.strictObject({
  password: z.string().min(1, 'Password is required').max(4096),
  /** The client must say it knows the remaining credits are forfeited. */
  acknowledgeForfeit: z.literal(true, { message: 'Confirm that your credits will be forfeited' }),
});
export type DeleteAccountRequest = z.infer<typeof DeleteAccountRequestSchema>;

export const NotificationSettingsSchema = z.strictObject({
  /** "Your N credits are back" after a failed or canceled video (default on). */
  refundNotice: z.boolean(),
  /** One mail each time the balance drops below the low-balance threshold (default off). */
  lowBalance: z.boolean(),
});
export type NotificationSettings = z.infer<typeof NotificationSettingsSchema>;

export const NotificationSettingsResponseSchema = z.object({
  notifications: NotificationSettingsSchema,
});
export type NotificationSettingsResponse = z.infer<typeof NotificationSettingsResponseSchema>;

export const ReceiptSchema = z.object({
  paymentId: z.string(),
  productName: z.string(),
  customerName: z.string(),
  customerEmail: z.string(),
  packageName: z.string(),
  credits: z.number().int(),
  bonusCredits: z.number().int(),
  totalCredits: z.number().int(),
  amountCents: z.number().int(),
  currency: z.string(),
  card: z.object({ brand: z.string(), last4: z.string() }).nullable(),
  /** When the credits were added to the account. */
  paidAt: z.string(),
  status: z.string(),
  amountRefundedCents: z.number().int(),
  stripeReceiptUrl: z.string().nullable(),
});
export type Receipt = z.infer<typeof ReceiptSchema>;

export const ReceiptResponseSchema = z.object({ receipt: ReceiptSchema });
export type ReceiptResponse = z.infer<typeof ReceiptResponseSchema>;
