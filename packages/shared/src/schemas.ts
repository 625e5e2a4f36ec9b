import { z } from 'zod';
import {
  CREDIT_PACKAGES,
  MAX_DURATION_MINUTES,
  MIN_DURATION_MINUTES,
  RESOLUTIONS,
} from './pricing.ts';

/**
 * Request schemas are strict: an unknown field (creditBalance, userId, cost, ...) is a 400,
 * so a client can never assign what only the server decides.
 */

const isoDate = z.string().describe('ISO 8601 timestamp');
const codePoints = (s: string) => [...s].length;

export const EMAIL_MAX_CHARS = 254;
export const NAME_MAX_CHARS = 100;

export const EmailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(EMAIL_MAX_CHARS, `Email addresses have at most ${EMAIL_MAX_CHARS} characters`)
  .pipe(z.email({ message: 'Enter a valid email address' }));

export const PASSWORD_MIN_CHARS = 8;
export const PASSWORD_MAX_CHARS = 256;
export const PasswordSchema = z
  .string()
  .refine((s) => codePoints(s) >= PASSWORD_MIN_CHARS, {
    message: `Password must be at least ${PASSWORD_MIN_CHARS} characters`,
  })
  .refine((s) => codePoints(s) <= PASSWORD_MAX_CHARS, {
    message: `Password must be at most ${PASSWORD_MAX_CHARS} characters`,
  });

// ---------- auth ----------
export const SignupRequestSchema = z.strictObject({
  email: EmailSchema,
  password: PasswordSchema,
  name: z
    .string()
    .trim()
    .min(1, 'Name is required')
    .max(NAME_MAX_CHARS, `Keep the name to ${NAME_MAX_CHARS} characters or fewer`),
});
export type SignupRequest = z.infer<typeof SignupRequestSchema>;

export const LoginRequestSchema = z.strictObject({
  email: EmailSchema,
  password: z.string().min(1, 'Password is required').max(4096),
});
export type LoginRequest = z.infer<typeof LoginRequestSchema>;

/** The new password keeps the signup length rule; the server also refuses easily guessed ones. */
export const ChangePasswordRequestSchema = z.strictObject({
  currentPassword: z.string().min(1, 'Current password is required').max(4096),
  newPassword: PasswordSchema,
});
export type ChangePasswordRequest = z.infer<typeof ChangePasswordRequestSchema>;

export const UserSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  creditBalance: z.number().int(),
  totalCreditsPurchased: z.number().int(),
  /** False until the user opens the link mailed to their address. */
  emailVerified: z.boolean(),
  createdAt: isoDate,
});
export type User = z.infer<typeof UserSchema>;

export const AuthResponseSchema = z.object({
  token: z.string(),
  expiresAt: isoDate,
  user: UserSchema,
});
export type AuthResponse = z.infer<typeof AuthResponseSchema>;

export const MeResponseSchema = z.object({ user: UserSchema });
export type MeResponse = z.infer<typeof MeResponseSchema>;

// ---------- pagination ----------
export const PaginationQuerySchema = z.strictObject({
  page: z.coerce.number().int().min(1).max(1_000_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});

export const PaginationSchema = z.object({
  page: z.number().int(),
  pageSize: z.number().int(),
  total: z.number().int(),
  totalPages: z.number().int(),
});
export type Pagination = z.infer<typeof PaginationSchema>;

// ---------- credits ----------
export const TRANSACTION_TYPES = [
  'purchase',
  'usage',
  'refund',
  'bonus',
  'adjustment',
  'clawback',
] as const;
export type TransactionType = (typeof TRANSACTION_TYPES)[number];

export const BalanceResponseSchema = z.object({
  creditBalance: z.number().int(),
  totalCreditsPurchased: z.number().int(),
  /** True when a refund or lost dispute clawed back credits that were already spent. */
  owesCredits: z.boolean(),
  lowBalance: z.boolean(),
});
export type BalanceResponse = z.infer<typeof BalanceResponseSchema>;

export const CreditPackageSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  credits: z.number().int(),
  bonusCredits: z.number().int(),
  totalCredits: z.number().int(),
  priceCents: z.number().int(),
  currency: z.string(),
  bestValue: z.boolean(),
});
export type CreditPackageDto = z.infer<typeof CreditPackageSchema>;

export const PackagesResponseSchema = z.object({ packages: z.array(CreditPackageSchema) });
export type PackagesResponse = z.infer<typeof PackagesResponseSchema>;

export const TransactionSchema = z.object({
  id: z.number().int(),
  type: z.enum(TRANSACTION_TYPES),
  amount: z.number().int(),
  balanceAfter: z.number().int(),
  referenceType: z.string().nullable(),
  referenceId: z.string().nullable(),
  description: z.string(),
  /**
   * For entries about a video (usage, refund): its prompt, so a refund says which video it
   * was for; `null` once the video was deleted from the library.
   */
  videoPrompt: z.string().nullable().optional(),
  createdAt: isoDate,
});
export type Transaction = z.infer<typeof TransactionSchema>;

const dateParam = z
  .string()
  .max(40)
  .refine((s) => !Number.isNaN(Date.parse(s)), 'Must be an ISO 8601 date');

export const TransactionsQuerySchema = PaginationQuerySchema.extend({
  type: z.enum(TRANSACTION_TYPES).optional(),
  from: dateParam.optional(),
  to: dateParam.optional(),
});
export type TransactionsQuery = z.infer<typeof TransactionsQuerySchema>;

export const TransactionsResponseSchema = z.object({
  transactions: z.array(TransactionSchema),
  pagination: PaginationSchema,
});
export type TransactionsResponse = z.infer<typeof TransactionsResponseSchema>;

export const CostOptionsSchema = z.strictObject({
  durationMinutes: z
    .number('Duration must be a number of minutes')
    .min(
      MIN_DURATION_MINUTES,
      `Duration must be at least ${MIN_DURATION_MINUTES} minutes (${MIN_DURATION_MINUTES * 60} seconds)`,
    )
    .max(MAX_DURATION_MINUTES, `Duration must be at most ${MAX_DURATION_MINUTES} minutes`),
  resolution: z.enum(RESOLUTIONS),
  customMusic: z.boolean().default(false),
  premiumTTS: z.boolean().default(false),
  aiEnhancement: z.boolean().default(false),
});
export type CostOptionsInput = z.input<typeof CostOptionsSchema>;

export const CalculateCostRequestSchema = CostOptionsSchema;

export const CostBreakdownSchema = z.object({
  billedMinutes: z.number().int(),
  creditsPerMinute: z.number().int(),
  baseCredits: z.number().int(),
  addOns: z.object({
    customMusic: z.number().int(),
    premiumTTS: z.number().int(),
    aiEnhancement: z.number().int(),
  }),
  total: z.number().int(),
});

export const CalculateCostResponseSchema = z.object({
  cost: z.number().int(),
  breakdown: CostBreakdownSchema,
  creditBalance: z.number().int(),
  sufficient: z.boolean(),
});
export type CalculateCostResponse = z.infer<typeof CalculateCostResponseSchema>;

// ---------- video ----------
export const VIDEO_STATUSES = ['queued', 'processing', 'completed', 'failed', 'canceled'] as const;
export type VideoStatus = (typeof VIDEO_STATUSES)[number];
export const TERMINAL_VIDEO_STATUSES: readonly VideoStatus[] = ['completed', 'failed', 'canceled'];

export const GenerateVideoRequestSchema = CostOptionsSchema.extend({
  prompt: z.string().trim().min(1, 'Prompt is required').max(2000),
});
export type GenerateVideoRequest = z.infer<typeof GenerateVideoRequestSchema>;

export const VideoSchema = z.object({
  id: z.string(),
  status: z.enum(VIDEO_STATUSES),
  prompt: z.string(),
  durationMinutes: z.number(),
  resolution: z.enum(RESOLUTIONS),
  customMusic: z.boolean(),
  premiumTTS: z.boolean(),
  aiEnhancement: z.boolean(),
  creditsUsed: z.number().int(),
  creditsRefunded: z.number().int(),
  progress: z.number().min(0).max(100),
  error: z.string().nullable(),
  fileUrl: z.string().nullable(),
  /** A still frame (JPEG) of a completed video, with the same kind of token as `fileUrl`. */
  posterUrl: z.string().nullable().optional(),
  createdAt: isoDate,
  updatedAt: isoDate,
  completedAt: isoDate.nullable(),
});
export type Video = z.infer<typeof VideoSchema>;

export const GenerateVideoResponseSchema = z.object({
  video: VideoSchema,
  creditsUsed: z.number().int(),
  newBalance: z.number().int(),
});
export type GenerateVideoResponse = z.infer<typeof GenerateVideoResponseSchema>;

export const VideoResponseSchema = z.object({ video: VideoSchema });

/** Cancel takes no input: no body, or an empty object (anything else is a 400). */
export const CancelVideoRequestSchema = z.strictObject({}).optional();

export const VIDEO_SEARCH_MAX_CHARS = 200;
export const VideoHistoryQuerySchema = PaginationQuerySchema.extend({
  status: z.enum(VIDEO_STATUSES).optional(),
  /** Words the prompt contains (case-insensitive, in any order). */
  q: z.string().trim().max(VIDEO_SEARCH_MAX_CHARS).optional(),
});
export const VideoHistoryResponseSchema = z.object({
  videos: z.array(VideoSchema),
  pagination: PaginationSchema,
});
export type VideoHistoryResponse = z.infer<typeof VideoHistoryResponseSchema>;

// ---------- payments ----------
export const PAYMENT_STATUSES = [
  'pending',
  'requires_action',
  'succeeded',
  'failed',
  'canceled',
  'partially_refunded',
  'refunded',
  'disputed',
  'dispute_lost',
] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

const packageIds = CREDIT_PACKAGES.map((p) => p.id);
export const CreatePaymentIntentRequestSchema = z.strictObject({
  packageId: z
    .number()
    .int()
    .positive()
    .max(Math.max(...packageIds) * 1000),
});
export type CreatePaymentIntentRequest = z.infer<typeof CreatePaymentIntentRequestSchema>;

export const PaymentSchema = z.object({
  id: z.string(),
  packageId: z.number().int(),
  packageName: z.string(),
  amountCents: z.number().int(),
  currency: z.string(),
  credits: z.number().int(),
  status: z.enum(PAYMENT_STATUSES),
  amountRefundedCents: z.number().int(),
  creditsClawedBack: z.number().int(),
  failureMessage: z.string().nullable(),
  /** The card that paid, once Stripe has told us (brand as Stripe names it, e.g. `visa`). */
  card: z.object({ brand: z.string(), last4: z.string() }).nullable(),
  /** True once the payment was credited: `/receipts/:id` then shows its receipt. */
  hasReceipt: z.boolean(),
  /** Stripe's own receipt page for the charge (the emulator serves one too), when known. */
  stripeReceiptUrl: z.string().nullable(),
  createdAt: isoDate,
  updatedAt: isoDate,
});
export type Payment = z.infer<typeof PaymentSchema>;

export const CreatePaymentIntentResponseSchema = z.object({
  paymentId: z.string(),
  paymentIntentId: z.string(),
  clientSecret: z.string(),
  amountCents: z.number().int(),
  currency: z.string(),
  credits: z.number().int(),
});
export type CreatePaymentIntentResponse = z.infer<typeof CreatePaymentIntentResponseSchema>;

export const ConfirmPaymentRequestSchema = z.strictObject({
  paymentIntentId: z.string().min(3).max(255),
});
export type ConfirmPaymentRequest = z.infer<typeof ConfirmPaymentRequestSchema>;

export const ConfirmPaymentResponseSchema = z.object({
  payment: PaymentSchema,
  creditBalance: z.number().int(),
});
export type ConfirmPaymentResponse = z.infer<typeof ConfirmPaymentResponseSchema>;

export const PaymentResponseSchema = z.object({ payment: PaymentSchema });

export const PaymentHistoryResponseSchema = z.object({
  payments: z.array(PaymentSchema),
  pagination: PaginationSchema,
});
export type PaymentHistoryResponse = z.infer<typeof PaymentHistoryResponseSchema>;

// ---------- client configuration ----------
export const ClientConfigSchema = z.object({
  stripePublishableKey: z.string(),
  /** `emulator` when the server talks to the bundled Stripe emulator instead of Stripe. */
  stripeMode: z.enum(['emulator', 'test', 'live']),
  /** Same-origin base URL of the emulator's Stripe API for the browser, or null with real Stripe. */
  stripeEmulatorUrl: z.string().nullable(),
  lowBalanceThreshold: z.number().int(),
  /** When true, buying and generating need a verified email address (403 EMAIL_NOT_VERIFIED). */
  requireVerifiedEmail: z.boolean(),
});
export type ClientConfig = z.infer<typeof ClientConfigSchema>;
