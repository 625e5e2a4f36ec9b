import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';

const REQUEST_ID = /^[A-Za-z0-9._-]{8,128}$/;

function requestId(req: IncomingMessage, res: ServerResponse): string {
  const incoming = req.headers['x-request-id'];
  const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}

/** Structured access logs with a request id that is echoed to the client for support. */
export function requestLogging(log: Logger): RequestHandler {
  if (!log.isLevelEnabled('fatal')) {
    // Nothing would ever be written (LOG_LEVEL=silent): keep the request id and req.log, but
    // skip pino-http's per-request child logger and response hooks on the hot path.
    return (req, res, next) => {
      req.id = requestId(req, res);
      req.log = log;
      next();
    };
  }
  return pinoHttp({
    logger: log,
    genReqId: requestId,
    // Tokens and card data must never reach the logs.
    redact: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["stripe-signature"]'],
    customLogLevel: (_req, res, err) =>
      err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'info' : 'debug',
    serializers: {
      req: (req: { id: unknown; method: unknown; url: unknown }) => ({
        id: req.id,
        method: req.method,
        url:
          typeof req.url === 'string'
            ? req.url.replace(/token=[^&]+/, 'token=[redacted]')
            : req.url,
      }),
    },
  });
}
