import { createHmac } from 'node:crypto';

// Stripe's webhook signature scheme: HMAC-SHA256 keyed with the endpoint secret (the whole
// `whsec_...` string, used as-is) over `${timestamp}.${rawBody}`, sent as `t=...,v1=<hex>`.

export function computeSignature(payload: string, secret: string, timestamp: number): string {
  return createHmac('sha256', secret).update(`${timestamp}.${payload}`, 'utf8').digest('hex');
}

/** The `Stripe-Signature` header value for `payload` signed at `timestamp` (unix seconds). */
export function signatureHeader(payload: string, secret: string, timestamp: number): string {
  return `t=${timestamp},v1=${computeSignature(payload, secret, timestamp)}`;
}
