import { isIPv6 } from 'node:net';
import type { Request } from 'express';
import type { ClientAddress } from '../services/context.ts';

/** With `trust proxy` set to the real hop count, req.ip cannot be forged by X-Forwarded-For. */
export const clientIp = (req: Request): string => req.ip ?? req.socket.remoteAddress ?? 'unknown';

/**
 * The key a per-network throttle counts under: the address for IPv4, the /64 for IPv6,
 * because one IPv6 customer is routinely handed a whole /64 and could rotate through it.
 */
export function networkOf(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (!isIPv6(ip)) return ip;
  const [head = '', tail = ''] = ip.toLowerCase().split('%')[0]!.split('::');
  const headParts = head ? head.split(':') : [];
  const tailParts = tail ? tail.split(':') : [];
  const missing = 8 - headParts.length - tailParts.length;
  const groups = ip.includes('::')
    ? [...headParts, ...Array<string>(Math.max(0, missing)).fill('0'), ...tailParts]
    : headParts;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

export const clientNetwork = (req: Request): string => networkOf(clientIp(req));

/** What the throttles in services need to know of the request's origin. */
export function clientOf(req: Request): ClientAddress {
  const ip = clientIp(req);
  return { ip, network: networkOf(ip) };
}
