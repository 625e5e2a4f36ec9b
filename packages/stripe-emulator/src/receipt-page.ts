import type { ServerResponse } from 'node:http';
import type { Store } from './state.ts';

/**
 * A charge's receipt page, as Stripe serves at a charge's `receipt_url`: public, reachable by
 * anyone who has the unguessable URL and by nobody else, read-only, showing that one charge.
 */

const PATH = /^\/receipts\/payment\/([A-Za-z0-9]{48})$/;

export const isReceiptPath = (path: string): boolean =>
  path === '/receipts' || path.startsWith('/receipts/');

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function money(cents: number, currency: string): string {
  try {
    return new Intl.NumberFormat('en-US', {
      style: 'currency',
      currency: currency.toUpperCase(),
    }).format(cents / 100);
  } catch {
    return `${(cents / 100).toFixed(2)} ${currency.toUpperCase()}`;
  }
}

function send(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(html)),
    'Cache-Control': 'no-store',
    'Content-Security-Policy':
      "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    'Referrer-Policy': 'no-referrer',
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(html);
}

const page = (title: string, body: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title></head>
<body style="font-family:system-ui,sans-serif;max-width:480px;margin:40px auto;padding:0 16px;color:#1a1f36">
${body}
<p style="color:#697386;font-size:12px">Stripe emulator — test mode. No real money moved.</p>
</body></html>`;

export function serveReceipt(
  store: Store,
  method: string,
  path: string,
  res: ServerResponse,
): void {
  const match = method === 'GET' ? PATH.exec(path) : null;
  const chargeId = match ? store.receipts.get(match[1]!) : undefined;
  const charge = chargeId ? store.charges.get(chargeId) : undefined;
  if (!charge) {
    send(res, 404, page('Receipt not found', '<h1>Receipt not found</h1>'));
    return;
  }
  const card = charge.payment_method_details.card;
  const rows: Array<[string, string]> = [
    ['Amount paid', money(charge.amount_captured, charge.currency)],
    ['Date paid', new Date(charge.created * 1000).toUTCString()],
    ['Payment method', card ? `${card.brand.toUpperCase()} •••• ${card.last4}` : 'Card'],
    ['Description', charge.description ?? '—'],
    ['Charge', charge.id],
  ];
  if (charge.amount_refunded > 0)
    rows.push(['Refunded', money(charge.amount_refunded, charge.currency)]);
  const table = rows
    .map(
      ([k, v]) =>
        `<tr><th align="left" style="padding:6px 16px 6px 0;color:#697386;font-weight:normal">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`,
    )
    .join('');
  send(
    res,
    200,
    page(
      'Receipt',
      `<h1 style="font-size:22px">Receipt</h1>
<p style="font-size:28px;margin:8px 0">${escapeHtml(money(charge.amount_captured, charge.currency))}</p>
<table>${table}</table>`,
    ),
  );
}
