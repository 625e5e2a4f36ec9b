import { z } from 'zod';
import * as S from '@app/shared';
import { ADMIN_ROUTES } from './openapi-admin.ts';
import { errorResponseName, errorResponses } from './openapi-errors.ts';
import { EXAMPLES } from './openapi-examples.ts';

export interface RouteDoc {
  method: 'get' | 'post' | 'put' | 'delete';
  path: string;
  /** Stable name for generated clients (`api.generateVideo(...)`). */
  operationId: string;
  tag: string;
  summary: string;
  auth: boolean;
  idempotent?: boolean;
  body?: z.ZodType;
  query?: z.ZodType;
  ok: [number, z.ZodType | null, string?];
  errors: number[];
}

/** The API surface, described once from the same zod schemas the server validates with. */
const ROUTES: RouteDoc[] = [
  {
    method: 'post',
    path: '/api/auth/signup',
    operationId: 'signup',
    tag: 'auth',
    summary:
      'Create an account and mail a verification link; 10 free credits once per mailbox (aliases of a mailbox that had them: `signupBonus.withheldReason` MAILBOX_ALREADY_USED)',
    auth: false,
    body: S.SignupRequestSchema,
    ok: [201, S.SignupResponseSchema],
    errors: [400, 409, 429, 503],
  },
  {
    method: 'post',
    path: '/api/auth/login',
    operationId: 'login',
    tag: 'auth',
    summary: 'Log in',
    auth: false,
    body: S.LoginRequestSchema,
    ok: [200, S.AuthResponseSchema],
    errors: [400, 401, 429, 503],
  },
  {
    method: 'get',
    path: '/api/auth/me',
    operationId: 'getMe',
    tag: 'auth',
    summary: 'The current user with balance',
    auth: true,
    ok: [200, S.MeResponseSchema],
    errors: [401],
  },
  {
    method: 'post',
    path: '/api/auth/logout',
    operationId: 'logout',
    tag: 'auth',
    summary: 'Sign out: revokes this token on the server (204)',
    auth: true,
    ok: [204, null],
    errors: [401],
  },
  {
    method: 'post',
    path: '/api/auth/logout-all',
    operationId: 'logoutAll',
    tag: 'auth',
    summary: 'Sign out everywhere: revokes every session of the user (204)',
    auth: true,
    ok: [204, null],
    errors: [401],
  },
  {
    method: 'post',
    path: '/api/auth/change-password',
    operationId: 'changePassword',
    tag: 'auth',
    summary:
      'Change the password: revokes every session and returns a fresh token for this browser (400 WEAK_PASSWORD for an easily guessed one)',
    auth: true,
    body: S.ChangePasswordRequestSchema,
    ok: [200, S.AuthResponseSchema],
    errors: [400, 401, 429, 503],
  },
  {
    method: 'post',
    path: '/api/auth/verify-email',
    operationId: 'verifyEmail',
    tag: 'account',
    summary:
      'Open a verification link (single-use, 24 h); the token names the account, no session is needed or changed (400 INVALID_TOKEN)',
    auth: false,
    body: S.LinkTokenRequestSchema,
    ok: [200, S.VerifyEmailResponseSchema],
    errors: [400],
  },
  {
    method: 'post',
    path: '/api/auth/resend-verification',
    operationId: 'resendVerification',
    tag: 'account',
    summary: 'Mail a new verification link (rate limited per address and per network)',
    auth: true,
    ok: [202, S.MailQueuedResponseSchema],
    errors: [401, 409, 429],
  },
  {
    method: 'post',
    path: '/api/auth/forgot-password',
    operationId: 'forgotPassword',
    tag: 'account',
    summary:
      'Mail a password-reset link (single-use, 30 min); the same 202 whether or not the address has an account',
    auth: false,
    body: S.ForgotPasswordRequestSchema,
    ok: [202, S.MailQueuedResponseSchema],
    errors: [400, 429],
  },
  {
    method: 'post',
    path: '/api/auth/reset-password',
    operationId: 'resetPassword',
    tag: 'account',
    summary:
      'Set a new password from a reset link: every session is signed out (204; 400 INVALID_TOKEN or WEAK_PASSWORD)',
    auth: false,
    body: S.ResetPasswordRequestSchema,
    ok: [204, null],
    errors: [400, 503],
  },
  {
    method: 'post',
    path: '/api/account/change-email',
    operationId: 'changeEmail',
    tag: 'account',
    summary:
      'Start an email change (needs the password): a link goes to the new address, a notice to the current one',
    auth: true,
    body: S.ChangeEmailRequestSchema,
    ok: [202, S.ChangeEmailResponseSchema],
    errors: [400, 401, 409, 429, 503],
  },
  {
    method: 'post',
    path: '/api/account/confirm-email-change',
    operationId: 'confirmEmailChange',
    tag: 'account',
    summary: 'Open an email-change link: the new address becomes the sign-in address, verified',
    auth: false,
    body: S.LinkTokenRequestSchema,
    ok: [200, S.ConfirmEmailChangeResponseSchema],
    errors: [400, 409],
  },
  {
    method: 'get',
    path: '/api/account/notifications',
    operationId: 'getNotificationSettings',
    tag: 'account',
    summary: 'Mail preferences: refund notices (default on), low-balance mail (default off)',
    auth: true,
    ok: [200, S.NotificationSettingsResponseSchema],
    errors: [401],
  },
  {
    method: 'put',
    path: '/api/account/notifications',
    operationId: 'updateNotificationSettings',
    tag: 'account',
    summary: 'Set the mail preferences',
    auth: true,
    body: S.NotificationSettingsSchema,
    ok: [200, S.NotificationSettingsResponseSchema],
    errors: [400, 401],
  },
  {
    method: 'post',
    path: '/api/account/delete',
    operationId: 'deleteAccount',
    tag: 'account',
    summary:
      'Delete the account (needs the password): remaining credits are forfeited, personal data removed, ledger and payments kept under an anonymous id (204)',
    auth: true,
    body: S.DeleteAccountRequestSchema,
    ok: [204, null],
    errors: [400, 401, 429, 503],
  },
  {
    method: 'get',
    path: '/api/config',
    operationId: 'getClientConfig',
    tag: 'meta',
    summary: 'Client configuration (Stripe mode and key)',
    auth: false,
    ok: [200, S.ClientConfigSchema],
    errors: [],
  },
  {
    method: 'get',
    path: '/api/credits/balance',
    operationId: 'getBalance',
    tag: 'credits',
    summary: 'Current credit balance',
    auth: true,
    ok: [200, S.BalanceResponseSchema],
    errors: [401],
  },
  {
    method: 'get',
    path: '/api/credits/packages',
    operationId: 'listPackages',
    tag: 'credits',
    summary: 'Credit packages for sale',
    auth: true,
    ok: [200, S.PackagesResponseSchema],
    errors: [401],
  },
  {
    method: 'get',
    path: '/api/credits/transactions',
    operationId: 'listTransactions',
    tag: 'credits',
    summary: 'Ledger entries, newest first',
    auth: true,
    query: S.TransactionsQuerySchema,
    ok: [200, S.TransactionsResponseSchema],
    errors: [400, 401],
  },
  {
    method: 'get',
    path: '/api/credits/transactions.csv',
    operationId: 'exportTransactionsCsv',
    tag: 'credits',
    summary:
      'The whole filtered ledger as a streamed CSV download (same filters and columns as the list; formula-like text is prefixed with an apostrophe); 6 exports a minute per user',
    auth: true,
    query: S.TransactionsQuerySchema.pick({ type: true, from: true, to: true }),
    ok: [200, null, 'text/csv'],
    errors: [400, 401],
  },
  {
    method: 'post',
    path: '/api/credits/calculate-cost',
    operationId: 'calculateCost',
    tag: 'credits',
    summary: 'Quote the cost of a video',
    auth: true,
    idempotent: true,
    body: S.CalculateCostRequestSchema,
    ok: [200, S.CalculateCostResponseSchema],
    errors: [400, 401],
  },
  {
    method: 'get',
    path: '/api/credits/video-history',
    operationId: 'listVideoHistory',
    tag: 'credits',
    summary: 'Video generations, newest first',
    auth: true,
    query: S.VideoHistoryQuerySchema,
    ok: [200, S.VideoHistoryResponseSchema],
    errors: [400, 401],
  },
  {
    method: 'get',
    path: '/api/credits/spend-summary',
    operationId: 'getSpendSummary',
    tag: 'credits',
    summary:
      'Credits spent, refunded and bought per local day over the last `days` days, and spent per feature (resolution, add-ons)',
    auth: true,
    query: S.SpendSummaryQuerySchema,
    ok: [200, S.SpendSummaryResponseSchema],
    errors: [400, 401],
  },
  {
    method: 'post',
    path: '/api/video/generate',
    operationId: 'generateVideo',
    tag: 'video',
    summary: 'Charge and queue a video (403 EMAIL_NOT_VERIFIED when REQUIRE_VERIFIED_EMAIL is on)',
    auth: true,
    idempotent: true,
    body: S.GenerateVideoRequestSchema,
    ok: [202, S.GenerateVideoResponseSchema],
    errors: [400, 401, 402, 403, 409, 422, 429, 503],
  },
  {
    method: 'get',
    path: '/api/video/{id}',
    operationId: 'getVideo',
    tag: 'video',
    summary: 'One video',
    auth: true,
    ok: [200, S.VideoResponseSchema],
    errors: [401, 404],
  },
  {
    method: 'get',
    path: '/api/video/{id}/events',
    operationId: 'streamVideoEvents',
    tag: 'video',
    summary: 'Progress as server-sent events (`event: video`)',
    auth: true,
    ok: [200, null, 'text/event-stream'],
    errors: [401, 404],
  },
  {
    method: 'get',
    path: '/api/video/{id}/file',
    operationId: 'getVideoFile',
    tag: 'video',
    summary: 'The MP4 (HTTP ranges; auth header or the token in fileUrl)',
    auth: true,
    ok: [200, null, 'video/mp4'],
    errors: [401, 404, 416],
  },
  {
    method: 'post',
    path: '/api/video/{id}/cancel',
    operationId: 'cancelVideo',
    tag: 'video',
    summary: 'Cancel a queued or running video (refunded)',
    auth: true,
    idempotent: true,
    ok: [200, S.VideoResponseSchema],
    errors: [401, 404, 409],
  },
  {
    method: 'delete',
    path: '/api/video/{id}',
    operationId: 'deleteVideo',
    tag: 'video',
    summary:
      'Delete a finished video from the library (file and poster removed, ledger entries kept); 409 while it is queued or rendering',
    auth: true,
    ok: [204, null],
    errors: [401, 404, 409],
  },
  {
    method: 'get',
    path: '/api/video/{id}/poster',
    operationId: 'getVideoPoster',
    tag: 'video',
    summary: 'A JPEG frame of a completed video (auth header or the token in posterUrl)',
    auth: true,
    ok: [200, null, 'image/jpeg'],
    errors: [401, 404],
  },
  {
    method: 'post',
    path: '/api/payments/create-intent',
    operationId: 'createPaymentIntent',
    tag: 'payments',
    summary: 'Start buying a package (403 EMAIL_NOT_VERIFIED when REQUIRE_VERIFIED_EMAIL is on)',
    auth: true,
    idempotent: true,
    body: S.CreatePaymentIntentRequestSchema,
    ok: [201, S.CreatePaymentIntentResponseSchema],
    errors: [400, 401, 403, 404, 429, 502],
  },
  {
    method: 'post',
    path: '/api/payments/confirm',
    operationId: 'confirmPayment',
    tag: 'payments',
    summary: 'Re-read the PaymentIntent and credit once',
    auth: true,
    idempotent: true,
    body: S.ConfirmPaymentRequestSchema,
    ok: [200, S.ConfirmPaymentResponseSchema],
    errors: [400, 401, 404, 429, 502],
  },
  {
    method: 'post',
    path: '/api/payments/webhook',
    operationId: 'handleStripeWebhook',
    tag: 'payments',
    summary: 'Stripe webhook (signed raw body)',
    auth: false,
    ok: [200, null],
    errors: [400],
  },
  {
    method: 'get',
    path: '/api/payments/history',
    operationId: 'listPayments',
    tag: 'payments',
    summary: 'Payments, newest first',
    auth: true,
    query: S.PaginationQuerySchema,
    ok: [200, S.PaymentHistoryResponseSchema],
    errors: [400, 401],
  },
  {
    method: 'get',
    path: '/api/payments/{paymentId}',
    operationId: 'getPayment',
    tag: 'payments',
    summary: 'One payment (owner only)',
    auth: true,
    ok: [200, S.PaymentResponseSchema],
    errors: [401, 404],
  },
  {
    method: 'post',
    path: '/api/payments/{paymentId}/resume',
    operationId: 'resumePayment',
    tag: 'payments',
    summary: 'The client secret of a payment still waiting (3-D Secure), to finish it (owner only)',
    auth: true,
    idempotent: true,
    ok: [200, S.CreatePaymentIntentResponseSchema],
    errors: [401, 404, 409, 429, 502],
  },
  {
    method: 'post',
    path: '/api/payments/{paymentId}/cancel',
    operationId: 'cancelPendingPayment',
    tag: 'payments',
    summary: 'Cancel a payment still waiting for the customer (owner only, idempotent)',
    auth: true,
    idempotent: true,
    ok: [200, S.ConfirmPaymentResponseSchema],
    errors: [401, 404, 409, 429, 502],
  },
  {
    method: 'get',
    path: '/api/payments/{paymentId}/receipt',
    operationId: 'getPaymentReceipt',
    tag: 'payments',
    summary: 'The receipt of a credited payment (owner only; 404 before it is credited)',
    auth: true,
    ok: [200, S.ReceiptResponseSchema],
    errors: [401, 404],
  },
  ...ADMIN_ROUTES,
];

const toSchema = (schema: z.ZodType, io: 'input' | 'output') =>
  z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' });

const TAGS = [
  { name: 'auth', description: 'Sign up, sign in and out, change the password' },
  { name: 'account', description: 'Email verification, password reset, email change, settings' },
  { name: 'meta', description: 'What the web app needs to know about this server' },
  { name: 'credits', description: 'Balance, packages, the ledger and cost quotes' },
  { name: 'video', description: 'Generate, follow, download and cancel videos' },
  { name: 'payments', description: 'Buy credit packages through Stripe; receipts' },
  { name: 'admin', description: 'The support console (staff only)' },
];

const errorRef = (status: number) => ({
  $ref: `#/components/responses/${errorResponseName(status)}`,
});

/** Statuses any route may answer besides its own: throttling, and body checks where a body is read. */
function errorStatuses(r: RouteDoc): number[] {
  const all = new Set(r.errors);
  all.add(429);
  all.add(500);
  if (r.body) {
    all.add(413);
    all.add(415);
  }
  return [...all].sort((a, b) => a - b);
}

function operation(r: RouteDoc) {
  const [status, okSchema, mediaType] = r.ok;
  const example = EXAMPLES[r.operationId];
  const parameters: unknown[] = [];
  for (const match of r.path.matchAll(/\{(\w+)\}/g)) {
    parameters.push({ name: match[1], in: 'path', required: true, schema: { type: 'string' } });
  }
  if (r.query) {
    const q = toSchema(r.query, 'input') as {
      properties?: Record<string, unknown>;
      required?: string[];
    };
    for (const [name, schema] of Object.entries(q.properties ?? {})) {
      parameters.push({ name, in: 'query', required: q.required?.includes(name) ?? false, schema });
    }
  }
  if (r.idempotent) {
    parameters.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description:
        'One key per intended action, kept across retries: the same key and body replay the first response; another body is a 422.',
      schema: { type: 'string', maxLength: 255 },
      example: '6f1c2b9e-3d4a-4f5b-8c7d-9e0f1a2b3c4d',
    });
  }
  const ok = okSchema
    ? {
        description: 'OK',
        content: {
          'application/json': {
            schema: toSchema(okSchema, 'output'),
            ...(example?.response === undefined ? {} : { example: example.response }),
          },
        },
      }
    : {
        description: mediaType ? `OK (${mediaType})` : 'OK, no body',
        ...(mediaType ? { content: { [mediaType]: { schema: { type: 'string' } } } } : {}),
      };
  const responses: Record<string, unknown> = { [status]: ok };
  for (const code of errorStatuses(r)) responses[code] = errorRef(code);
  return {
    operationId: r.operationId,
    tags: [r.tag],
    summary: r.summary,
    security: r.auth ? [{ bearer: [] }] : [],
    parameters,
    ...(r.body
      ? {
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: toSchema(r.body, 'input'),
                ...(example?.request === undefined ? {} : { example: example.request }),
              },
            },
          },
        }
      : {}),
    responses,
  };
}

let cached: object | undefined;

export function openApiDocument(): object {
  if (cached) return cached;
  const paths: Record<string, Record<string, unknown>> = {};
  const statuses = new Set(ROUTES.flatMap(errorStatuses));
  for (const r of ROUTES) {
    paths[r.path] ??= {};
    paths[r.path]![r.method] = operation(r);
  }
  cached = {
    openapi: '3.1.0',
    info: {
      title: 'Credit system API',
      version: '1.0.0',
      description:
        'Prepaid credits, Stripe payments and video generation. Every error has the shape { error: { code, message, details? } }; the code is stable, the message is for people.',
      // A private product: no licence is granted; SPDX's LicenseRef- form names exactly that.
      license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
    },
    // Relative: the API is served from the same origin as this document and the web app.
    servers: [{ url: '/', description: 'The server that serves this document' }],
    tags: TAGS,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { Error: toSchema(S.ErrorBodySchema, 'output') },
      responses: errorResponses(statuses),
    },
    paths,
  };
  return cached;
}

/** The routes as described, for tests that hold each example against its schema. */
export const DOCUMENTED_ROUTES: readonly RouteDoc[] = ROUTES;

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

/** A dependency-free reference page; the JSON document stays the source of truth. */
export function docsPage(): string {
  const doc = openApiDocument() as {
    paths: Record<
      string,
      Record<
        string,
        {
          summary: string;
          requestBody?: unknown;
          responses: Record<string, unknown>;
          security: unknown[];
        }
      >
    >;
  };
  const sections = Object.entries(doc.paths)
    .flatMap(([p, methods]) =>
      Object.entries(methods).map(([m, op]) => {
        const body = op.requestBody
          ? `<h4>Request body</h4><pre>${escapeHtml(JSON.stringify(op.requestBody, null, 2))}</pre>`
          : '';
        return `<section><h3><code>${m.toUpperCase()} ${escapeHtml(p)}</code> ${op.security.length ? '🔒' : ''}</h3><p>${escapeHtml(op.summary)}</p>${body}<h4>Responses</h4><pre>${escapeHtml(JSON.stringify(op.responses, null, 2))}</pre></section>`;
      }),
    )
    .join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>API reference</title>
<meta name="viewport" content="width=device-width,initial-scale=1">
<style>body{font-family:system-ui,sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem;color:#1f2430}
pre{background:#f5f6f8;padding:.75rem;overflow:auto;font-size:.8rem;max-height:24rem}section{border-top:1px solid #ddd;padding:.5rem 0}</style>
</head><body><h1>Credit system API</h1><p>Machine-readable: <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI 3.1). 🔒 = <code>Authorization: Bearer &lt;token&gt;</code>.</p>${sections}</body></html>`;
}
