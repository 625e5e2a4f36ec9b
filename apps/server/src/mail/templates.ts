import { PRODUCT_NAME, type Receipt } from '@app/shared';
import type { MailParams, MailTemplate } from '../store/types.ts';

/**
 * Every mail as plain text plus simple HTML: the product's name, no images, no tracking
 * pixels, no remote content; every link is built from the public URL. Values are escaped.
 */

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

export interface RenderContext {
  /** PUBLIC_URL (or the address the server listens on), without a trailing slash. */
  baseUrl: string;
  /** The receipt of a payment, or null if there is nothing to send any more. */
  loadReceipt: (paymentId: string) => Promise<Receipt | null>;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const str = (params: MailParams, key: string): string => {
  const value = params[key];
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw new Error(`mail parameter ${key} is missing`);
  }
  return String(value);
};

export function formatMoney(cents: number, currency: string): string {
  try {
    return new Intl.NumberFormat('en-US', {
      style: 'currency',
      currency: currency.toUpperCase(),
    }).format(cents / 100);
  } catch {
    return `${(cents / 100).toFixed(2)} ${currency.toUpperCase()}`;
  }
}

export const formatDate = (iso: string): string =>
  `${new Date(iso).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

const cardName = (brand: string) =>
  brand === 'amex' ? 'American Express' : brand.charAt(0).toUpperCase() + brand.slice(1);

/** A paragraph, a link shown as a button, or a table of facts: all the HTML there is. */
type Block = { p: string } | { link: string; label: string } | { rows: Array<[string, string]> };

function compose(subject: string, greeting: string, blocks: Block[]): RenderedMail {
  const text = [greeting, '']
    .concat(
      blocks.flatMap((b) => {
        if ('p' in b) return [b.p, ''];
        if ('link' in b) return [`${b.label}: ${b.link}`, ''];
        return [...b.rows.map(([k, v]) => `${k}: ${v}`), ''];
      }),
    )
    .concat([`— ${PRODUCT_NAME}`])
    .join('\n');
  const body = blocks
    .map((b) => {
      if ('p' in b) return `<p>${escapeHtml(b.p)}</p>`;
      if ('link' in b) {
        const href = escapeHtml(b.link);
        return `<p><a href="${href}" style="display:inline-block;padding:10px 18px;background:#4f46e5;color:#fff;border-radius:6px;text-decoration:none">${escapeHtml(b.label)}</a></p><p style="font-size:12px;color:#555">Or paste this address into your browser: ${href}</p>`;
      }
      const rows = b.rows
        .map(
          ([k, v]) =>
            `<tr><th align="left" style="padding:4px 16px 4px 0;font-weight:normal;color:#555">${escapeHtml(k)}</th><td style="padding:4px 0">${escapeHtml(v)}</td></tr>`,
        )
        .join('');
      return `<table cellspacing="0" cellpadding="0">${rows}</table>`;
    })
    .join('\n');
  const html = `<!doctype html>
<html><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body style="font-family:system-ui,-apple-system,Segoe UI,sans-serif;color:#111;max-width:560px;margin:0 auto;padding:24px">
<p style="font-weight:600;font-size:18px">${escapeHtml(PRODUCT_NAME)}</p>
<p>${escapeHtml(greeting)}</p>
${body}
<p style="font-size:12px;color:#555">${escapeHtml(PRODUCT_NAME)}</p>
</body></html>`;
  return { subject: `${subject} — ${PRODUCT_NAME}`, text, html };
}

const hello = (params: MailParams) =>
  typeof params.name === 'string' && params.name ? `Hello ${params.name},` : 'Hello,';

/** The mail for an outbox row, or null when there is nothing to send any more. */
export async function renderMail(
  template: MailTemplate,
  params: MailParams,
  ctx: RenderContext,
): Promise<RenderedMail | null> {
  const link = (path: string) => `${ctx.baseUrl}${path}`;
  switch (template) {
    case 'verify_email':
      return compose('Confirm your email address', hello(params), [
        { p: `Please confirm that this is your email address for ${PRODUCT_NAME}.` },
        {
          link: link(`/verify-email?token=${encodeURIComponent(str(params, 'token'))}`),
          label: 'Confirm my email address',
        },
        { p: 'The link works for 24 hours. If you did not sign up, ignore this message.' },
      ]);
    case 'reset_password':
      return compose('Choose a new password', hello(params), [
        { p: 'Someone (hopefully you) asked to reset the password of your account.' },
        {
          link: link(`/reset-password?token=${encodeURIComponent(str(params, 'token'))}`),
          label: 'Choose a new password',
        },
        {
          p: 'The link works once, for 30 minutes, and signs out every device. If you did not ask for it, ignore this message: your password stays as it is.',
        },
      ]);
    case 'change_email_verify':
      return compose('Confirm your new email address', hello(params), [
        {
          p: `Confirm ${str(params, 'newEmail')} as the new email address of your ${PRODUCT_NAME} account.`,
        },
        {
          link: link(`/confirm-email?token=${encodeURIComponent(str(params, 'token'))}`),
          label: 'Confirm my new address',
        },
        { p: 'The link works for 24 hours. Until then your current address stays in use.' },
      ]);
    case 'change_email_notice':
      return compose('Your email address is being changed', hello(params), [
        {
          p: `Someone signed in to your account asked to change its email address to ${str(params, 'newEmail')}. It changes only once that address confirms it.`,
        },
        {
          p: 'If this was not you, change your password now and sign out everywhere from the settings page.',
        },
        { link: link('/settings'), label: 'Open settings' },
      ]);
    case 'receipt': {
      const receipt = await ctx.loadReceipt(str(params, 'paymentId'));
      if (!receipt) return null;
      return compose(
        `Your receipt: ${receipt.packageName} package`,
        `Hello ${receipt.customerName},`,
        [
          {
            p: `Thank you for your purchase. ${receipt.totalCredits} credits were added to your account.`,
          },
          { rows: receiptRows(receipt) },
          {
            link: link(`/receipts/${encodeURIComponent(receipt.paymentId)}`),
            label: 'View receipt',
          },
        ],
      );
    }
    case 'video_refunded': {
      const credits = Number(str(params, 'credits'));
      const why = params.reason === 'canceled' ? 'was canceled' : 'could not be generated';
      return compose(`Your ${credits} credits are back`, 'Hello,', [
        { p: `A video ${why}, so your ${credits} credits are back in your account.` },
        {
          link: link(`/videos/${encodeURIComponent(str(params, 'videoId'))}`),
          label: 'See the video',
        },
        { p: 'You can turn these notices off in your settings.' },
      ]);
    }
    case 'low_balance':
      return compose('Your credit balance is low', 'Hello,', [
        {
          p: `Your balance is ${str(params, 'balance')} credits, below ${str(params, 'threshold')}. Top up to keep generating videos.`,
        },
        { link: link('/credits'), label: 'Buy credits' },
        { p: 'You asked for this notice in your settings, where you can turn it off.' },
      ]);
  }
}

export function receiptRows(r: Receipt): Array<[string, string]> {
  return [
    ['Package', r.packageName],
    ['Credits', String(r.credits)],
    ['Bonus credits', String(r.bonusCredits)],
    ['Amount', formatMoney(r.amountCents, r.currency)],
    ['Currency', r.currency.toUpperCase()],
    ['Card', r.card ? `${cardName(r.card.brand)} ending in ${r.card.last4}` : 'Card'],
    ['Date', formatDate(r.paidAt)],
    ['Payment ID', r.paymentId],
  ];
}
