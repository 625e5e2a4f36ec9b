import {
  ADD_ON_CREDITS,
  CREDIT_PACKAGES,
  CREDITS_PER_MINUTE,
  PRODUCT_NAME,
  type AuditEntry,
  type Approval,
  type Payment,
  type Transaction,
  type User,
  type Video,
} from '@app/shared';

/**
 * One request and one success example per operation (keyed by operationId), so a generated
 * client's docs and mock servers show real-looking data. test/openapi.test.ts parses each of
 * them with the zod schema the route uses, so an example cannot drift from the API.
 */
export interface OperationExample {
  request?: unknown;
  response?: unknown;
}

const at = '2026-03-14T09:26:53.000Z';
const later = '2026-03-14T09:28:10.000Z';
const userId = 'usr_7f3c9a1e5b2d4c60';
const videoId = 'vid_0b9e4d2a61f84c37';
const paymentId = 'pay_5c1d8e7f2a3b4960';
const pro = CREDIT_PACKAGES.find((p) => p.bestValue) ?? CREDIT_PACKAGES[0]!;
const proCredits = pro.credits + pro.bonusCredits;
const videoCost = 2 * CREDITS_PER_MINUTE['1080p'] + ADD_ON_CREDITS.customMusic;
const pagination = { page: 1, pageSize: 20, total: 1, totalPages: 1 };
const token = 'eyJhbGciOiJIUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJ1c3JfN2YzYyJ9.c2lnbmF0dXJl';
const password = 'correct horse battery staple';

const user: User = {
  id: userId,
  email: 'ada@example.com',
  name: 'Ada Lovelace',
  creditBalance: 142,
  totalCreditsPurchased: proCredits,
  emailVerified: true,
  createdAt: at,
};
const video: Video = {
  id: videoId,
  status: 'completed',
  prompt: 'A paper boat drifting down a rainy street at dusk',
  durationMinutes: 2,
  resolution: '1080p',
  customMusic: true,
  premiumTTS: false,
  aiEnhancement: false,
  creditsUsed: videoCost,
  creditsRefunded: 0,
  progress: 100,
  error: null,
  fileUrl: `/api/video/${videoId}/file?token=ft_4a9c`,
  createdAt: at,
  updatedAt: later,
  completedAt: later,
};
const queuedVideo: Video = {
  ...video,
  status: 'queued',
  progress: 0,
  fileUrl: null,
  updatedAt: at,
  completedAt: null,
};
const canceledVideo: Video = {
  ...queuedVideo,
  status: 'canceled',
  creditsRefunded: videoCost,
  updatedAt: later,
};
const payment: Payment = {
  id: paymentId,
  packageId: pro.id,
  packageName: pro.name,
  amountCents: pro.priceCents,
  currency: pro.currency,
  credits: proCredits,
  status: 'succeeded',
  amountRefundedCents: 0,
  creditsClawedBack: 0,
  failureMessage: null,
  card: { brand: 'visa', last4: '4242' },
  hasReceipt: true,
  stripeReceiptUrl: null,
  createdAt: at,
  updatedAt: later,
};
const transaction: Transaction = {
  id: 1042,
  type: 'usage',
  amount: -videoCost,
  balanceAfter: user.creditBalance,
  referenceType: 'video',
  referenceId: videoId,
  description: 'Video generation (2 min, 1080p, custom music)',
  createdAt: at,
};
const customer = {
  id: userId,
  email: user.email,
  name: user.name,
  role: 'user' as const,
  creditBalance: user.creditBalance,
  owedCredits: 0,
  totalCreditsPurchased: user.totalCreditsPurchased,
  emailVerified: true,
  emailVerifiedAt: at,
  disabledAt: null,
  deletedAt: null,
  createdAt: at,
};
const adminId = 'usr_admin0000000001';
const grant: AuditEntry = {
  id: 'aud_01HQ8Z3M5N',
  createdAt: later,
  actorId: adminId,
  actorEmail: 'support@example.com',
  actorRole: 'admin',
  action: 'grant_credits',
  targetUserId: userId,
  targetType: 'user',
  targetId: userId,
  reason: 'goodwill',
  note: 'Render failed twice during the outage on 14 March',
  requestId: 'req_8b2f',
  amount: 25,
  balanceBefore: user.creditBalance,
  balanceAfter: user.creditBalance + 25,
  ledgerEntryId: 1043,
  approvalId: null,
  details: null,
};
const approval: Approval = {
  id: 'apr_01HQ9A2B3C',
  action: 'grant_credits',
  targetUserId: userId,
  targetEmail: user.email,
  amount: 5000,
  paymentId: null,
  reason: 'migration',
  note: 'Balance carried over from the old billing system',
  status: 'pending',
  requestedBy: adminId,
  requestedByEmail: 'support@example.com',
  decidedBy: null,
  decidedAt: null,
  createdAt: later,
};
const applied = (entry: AuditEntry, balance: number | null) => ({
  status: 'applied' as const,
  audit: [entry],
  approval: null,
  balance,
});
const accountAction = (action: AuditEntry['action']) =>
  applied(
    {
      ...grant,
      action,
      reason: 'correction',
      note: 'Card testing from this account',
      amount: null,
      balanceBefore: null,
      balanceAfter: null,
      ledgerEntryId: null,
    },
    null,
  );
const videoAction = (action: AuditEntry['action']) =>
  applied(
    {
      ...grant,
      action,
      targetType: 'video',
      targetId: videoId,
      reason: 'job_refund',
      note: 'Stuck at 40% for an hour',
      amount: action === 'fail_video' ? videoCost : null,
      ledgerEntryId: action === 'fail_video' ? 1044 : null,
      balanceAfter: action === 'fail_video' ? user.creditBalance + videoCost : null,
      balanceBefore: action === 'fail_video' ? user.creditBalance : null,
    },
    action === 'fail_video' ? user.creditBalance + videoCost : null,
  );
const adminNote = { reason: 'correction', note: 'Card testing from this account' };
const authResponse = { token, expiresAt: '2026-03-21T09:26:53.000Z', user };

export const EXAMPLES: Readonly<Record<string, OperationExample>> = {
  signup: {
    request: { email: 'ada@example.com', password, name: 'Ada Lovelace' },
    response: {
      ...authResponse,
      user: { ...user, creditBalance: 10, totalCreditsPurchased: 0, emailVerified: false },
      signupBonus: { granted: true, credits: 10, withheldReason: null },
    },
  },
  login: { request: { email: 'ada@example.com', password }, response: authResponse },
  getMe: { response: { user } },
  changePassword: {
    request: { currentPassword: password, newPassword: 'a longer passphrase nobody guesses' },
    response: authResponse,
  },
  verifyEmail: { request: { token: 'vt_Yc3kQ9pX2mB7nL4w' }, response: { verified: true } },
  resendVerification: {
    response: { message: 'We sent a new verification link to ada@example.com.' },
  },
  forgotPassword: {
    request: { email: 'ada@example.com' },
    response: { message: 'If an account uses that address, a reset link is on its way.' },
  },
  resetPassword: {
    request: { token: 'rt_Hn5vR8sK1qW6zT3e', newPassword: 'a longer passphrase nobody guesses' },
  },
  changeEmail: {
    request: { newEmail: 'ada@newmail.example', currentPassword: password },
    response: {
      pendingEmail: 'ada@newmail.example',
      message: 'Open the link we sent to ada@newmail.example to finish the change.',
    },
  },
  confirmEmailChange: {
    request: { token: 'ct_Pq8wE2rT5yU1iO9a' },
    response: { email: 'ada@newmail.example' },
  },
  getNotificationSettings: {
    response: { notifications: { refundNotice: true, lowBalance: false } },
  },
  updateNotificationSettings: {
    request: { refundNotice: true, lowBalance: true },
    response: { notifications: { refundNotice: true, lowBalance: true } },
  },
  deleteAccount: { request: { password, acknowledgeForfeit: true } },
  getClientConfig: {
    response: {
      stripePublishableKey: 'pk_test_51Emulator',
      stripeMode: 'emulator',
      stripeEmulatorUrl: '/emulator/stripe',
      lowBalanceThreshold: 10,
      requireVerifiedEmail: false,
    },
  },
  getBalance: {
    response: {
      creditBalance: user.creditBalance,
      totalCreditsPurchased: user.totalCreditsPurchased,
      owesCredits: false,
      lowBalance: false,
    },
  },
  listPackages: {
    response: {
      packages: CREDIT_PACKAGES.map((p) => ({ ...p, totalCredits: p.credits + p.bonusCredits })),
    },
  },
  listTransactions: { response: { transactions: [transaction], pagination } },
  calculateCost: {
    request: { durationMinutes: 2, resolution: '1080p', customMusic: true },
    response: {
      cost: videoCost,
      breakdown: {
        billedMinutes: 2,
        creditsPerMinute: CREDITS_PER_MINUTE['1080p'],
        baseCredits: 2 * CREDITS_PER_MINUTE['1080p'],
        addOns: { customMusic: ADD_ON_CREDITS.customMusic, premiumTTS: 0, aiEnhancement: 0 },
        total: videoCost,
      },
      creditBalance: user.creditBalance,
      sufficient: true,
    },
  },
  listVideoHistory: { response: { videos: [video], pagination } },
  getSpendSummary: {
    response: {
      days: 7,
      from: '2026-11-18T00:00:00.000Z',
      daily: ['18', '19', '20', '21', '22', '23', '24'].map((d) => ({
        date: `2026-11-${d}`,
        spent: d === '24' ? 42 : 0,
        refunded: 0,
        purchased: d === '24' ? 160 : 0,
      })),
      byFeature: [
        { feature: '720p', credits: 0, videos: 0 },
        { feature: '1080p', credits: 40, videos: 1 },
        { feature: 'customMusic', credits: 2, videos: 1 },
        { feature: 'premiumTTS', credits: 0, videos: 0 },
        { feature: 'aiEnhancement', credits: 0, videos: 0 },
      ],
      totals: { spent: 42, refunded: 0, net: 42, purchased: 160, videos: 1 },
    },
  },
  generateVideo: {
    request: {
      prompt: video.prompt,
      durationMinutes: 2,
      resolution: '1080p',
      customMusic: true,
      premiumTTS: false,
      aiEnhancement: false,
    },
    response: { video: queuedVideo, creditsUsed: videoCost, newBalance: user.creditBalance },
  },
  getVideo: { response: { video } },
  cancelVideo: { response: { video: canceledVideo } },
  createPaymentIntent: {
    request: { packageId: pro.id },
    response: {
      paymentId,
      paymentIntentId: 'pi_3P8xYz2eZvKYlo2C',
      clientSecret: 'pi_3P8xYz2eZvKYlo2C_secret_Wq1',
      amountCents: pro.priceCents,
      currency: pro.currency,
      credits: proCredits,
    },
  },
  confirmPayment: {
    request: { paymentIntentId: 'pi_3P8xYz2eZvKYlo2C' },
    response: { payment, creditBalance: user.creditBalance },
  },
  resumePayment: {
    response: {
      paymentId,
      paymentIntentId: 'pi_3P8xYz2eZvKYlo2C',
      clientSecret: 'pi_3P8xYz2eZvKYlo2C_secret_Wq1',
      amountCents: pro.priceCents,
      currency: pro.currency,
      credits: proCredits,
    },
  },
  cancelPendingPayment: {
    response: { payment: { ...payment, status: 'canceled' }, creditBalance: user.creditBalance },
  },
  listPayments: { response: { payments: [payment], pagination } },
  getPayment: { response: { payment } },
  getPaymentReceipt: {
    response: {
      receipt: {
        paymentId,
        productName: PRODUCT_NAME,
        customerName: user.name,
        customerEmail: user.email,
        packageName: pro.name,
        credits: pro.credits,
        bonusCredits: pro.bonusCredits,
        totalCredits: proCredits,
        amountCents: pro.priceCents,
        currency: pro.currency,
        card: { brand: 'visa', last4: '4242' },
        paidAt: later,
        status: 'succeeded',
        amountRefundedCents: 0,
        stripeReceiptUrl: null,
      },
    },
  },

  adminGetMe: {
    response: {
      user: { id: adminId, email: 'support@example.com', name: 'Grace Hopper' },
      role: 'admin',
      supportGrantLimit: 100,
      approvalThreshold: 1000,
    },
  },
  adminGetOverview: {
    response: {
      days: [
        {
          day: '2026-03-14',
          revenueCents: 4998,
          creditsSold: 320,
          creditsSpent: 188,
          paymentsSucceeded: 2,
          paymentsFailed: 1,
          failedRenders: 0,
        },
      ],
      totals: {
        revenueCents: 4998,
        creditsSold: 320,
        creditsSpent: 188,
        paymentSuccessRate: 0.6667,
        refundRate: 0,
        failedRenders: 0,
      },
      queue: { queued: 3, processing: 2 },
      pendingApprovals: 1,
      currency: 'usd',
    },
  },
  adminSearchCustomers: { response: { customers: [customer] } },
  adminGetCustomer: {
    response: {
      customer,
      sessions: [
        {
          id: 'ses_2d7e',
          createdAt: at,
          expiresAt: '2026-03-21T09:26:53.000Z',
          revokedAt: null,
          active: true,
        },
      ],
      approvals: [approval],
    },
  },
  adminListCustomerTransactions: { response: { transactions: [transaction], pagination } },
  adminListCustomerPayments: { response: { payments: [payment], pagination } },
  adminListCustomerVideos: { response: { videos: [{ ...video, fileUrl: null }], pagination } },
  adminGrantCredits: {
    request: { amount: 25, reason: 'goodwill', note: grant.note },
    response: applied(grant, user.creditBalance + 25),
  },
  adminDebitCredits: {
    request: { amount: 25, reason: 'correction', note: 'Granted twice by mistake' },
    response: applied(
      {
        ...grant,
        action: 'debit_credits',
        reason: 'correction',
        note: 'Granted twice by mistake',
        balanceAfter: user.creditBalance - 25,
      },
      user.creditBalance - 25,
    ),
  },
  adminRevokeSessions: { request: adminNote, response: accountAction('revoke_sessions') },
  adminDisableCustomer: { request: adminNote, response: accountAction('disable_account') },
  adminEnableCustomer: {
    request: { reason: 'correction', note: 'Cleared after review' },
    response: accountAction('enable_account'),
  },
  adminRefundPayment: {
    request: { reason: 'goodwill', note: 'Bought the wrong pack' },
    response: {
      status: 'pending_approval',
      audit: [],
      approval: {
        ...approval,
        action: 'refund_payment',
        amount: pro.priceCents,
        paymentId,
        reason: 'goodwill',
        note: 'Bought the wrong pack',
      },
      balance: null,
    },
  },
  adminFailVideo: {
    request: { reason: 'job_refund', note: 'Stuck at 40% for an hour' },
    response: videoAction('fail_video'),
  },
  adminRequeueVideo: {
    request: { reason: 'job_refund', note: 'Stuck at 40% for an hour' },
    response: videoAction('requeue_video'),
  },
  adminListApprovals: { response: { approvals: [approval] } },
  adminApproveRequest: {
    request: { note: 'Checked against the old system export' },
    response: applied({ ...grant, action: 'approval_approved', approvalId: approval.id }, 5142),
  },
  adminRejectRequest: {
    request: { note: 'No record of this balance' },
    response: applied(
      {
        ...grant,
        action: 'approval_rejected',
        approvalId: approval.id,
        amount: null,
        balanceBefore: null,
        balanceAfter: null,
        ledgerEntryId: null,
      },
      null,
    ),
  },
  adminListAudit: { response: { entries: [grant], nextBefore: null } },
};
