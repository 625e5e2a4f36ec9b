import type { Request } from 'express';

/** With `trust proxy` set to the real hop count, req.ip cannot be forged by X-Forwarded-For. */
export const clientIp = (req: Request): string => req.ip ?? req.socket.remoteAddress ?? 'unknown';
