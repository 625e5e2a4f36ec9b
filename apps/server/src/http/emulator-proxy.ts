import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';

/**
 * The same-origin door to the bundled Stripe emulator (`/emulator/stripe`). It forwards only
 * what the browser card form sends (see apps/web/src/lib/stripeEmulator.ts): read an intent,
 * confirm it with a card, answer 3-D Secure, each with the publishable key, and the emulator
 * then insists on the intent's client secret. Forwarding everything let anyone mark their own
 * intent paid, list every user's intents, refund or dispute other people's payments, and drive
 * the control API.
 */

const ID = '(pi_[A-Za-z0-9]+)';
const BROWSER_ROUTES: ReadonlyArray<{ method: string; pattern: RegExp }> = [
  { method: 'GET', pattern: new RegExp(`^/v1/payment_intents/${ID}$`) },
  { method: 'POST', pattern: new RegExp(`^/v1/payment_intents/${ID}/confirm$`) },
  { method: 'POST', pattern: new RegExp(`^/v1/payment_intents/${ID}/authenticate$`) },
];

/**
 * A charge's receipt page (`receipt_url`), public like Stripe's: the 48-character random token
 * is the only key, it shows that one charge, read-only. Forwarded without any key and without
 * a query string; nothing else under /receipts is reachable.
 */
const RECEIPT_PAGE = /^\/receipts\/payment\/[A-Za-z0-9]{48}$/;

// A card form body is a few hundred bytes.
const MAX_BODY_BYTES = 16 * 1024;
const SHOWN_PATH_CHARS = 200;

function reply(res: ServerResponse, status: number, message: string): void {
  const body = JSON.stringify({ error: { type: 'invalid_request_error', message } });
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': String(Buffer.byteLength(body)),
    'Cache-Control': 'no-store',
  });
  res.end(body);
}

function isAllowed(method: string, pathname: string): boolean {
  return BROWSER_ROUTES.some((r) => r.method === method && r.pattern.test(pathname));
}

export function emulatorProxy(emulator: RequestListener, publishableKey: string) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const method = (req.method ?? 'GET').toUpperCase();
    // The emulator routes on the parsed URL too, so `..` and friends are resolved before the
    // check and the checked form is what it receives.
    const url = new URL(req.url ?? '/', 'http://proxy.invalid');
    if (method === 'GET' && RECEIPT_PAGE.test(url.pathname)) {
      req.resume();
      delete req.headers.authorization;
      req.url = url.pathname;
      emulator(req, res);
      return;
    }
    if (!isAllowed(method, url.pathname)) {
      req.resume();
      const shown = url.pathname.slice(0, SHOWN_PATH_CHARS);
      reply(res, 404, `Unrecognized request URL (${method}: ${shown}).`);
      return;
    }
    const auth = req.headers.authorization;
    if (auth === undefined) {
      req.resume();
      reply(res, 401, 'You did not provide an API key.');
      return;
    }
    if (auth !== `Bearer ${publishableKey}` || url.searchParams.has('key')) {
      req.resume();
      reply(res, 403, 'Only the publishable key is accepted here.');
      return;
    }
    if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) {
      req.resume();
      reply(res, 413, 'Request body too large.');
      return;
    }
    // The card form never sends one; each distinct key would be remembered for 24 hours.
    delete req.headers['idempotency-key'];
    req.url = `${url.pathname}${url.search}`;
    emulator(req, res);
  };
}
