import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { clientNetwork } from './client-ip.ts';
import { LogBudget } from './log-budget.ts';
import { loggableUrl } from './log-url.ts';

const REQUEST_ID = /^[A-Za-z0-9._-]{8,128}$/;

function requestId(req: IncomingMessage, res: ServerResponse): string {
  const incoming = req.headers['x-request-id'];
  const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}

/**
 * Structured access logs with a request id that is echoed to the client for support.
 * Query secrets never reach the log, URLs are cut short, and 4xx lines are budgeted per
 * source network (`clientErrorsPerMinute`) so a flood of bad requests cannot fill the disk.
 */
export function requestLogging(
  log: Logger,
  options: { clientErrorsPerMinute: number },
): RequestHandler {
  if (!log.isLevelEnabled('fatal')) {
    // Nothing would ever be written (LOG_LEVEL=silent): keep the request id and req.log, but
    // skip pino-http's per-request child logger and response hooks on the hot path.
    return (req, res, next) => {
      req.id = requestId(req, res);
      req.log = log;
      next();
    };
  }
  const budget = new LogBudget(options.clientErrorsPerMinute);
  return pinoHttp({
    logger: log,
    genReqId: requestId,
    // Tokens and card data must never reach the logs.
    redact: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["stripe-signature"]'],
    customLogLevel: (req, res, err) => {
      if (err || res.statusCode >= 500) return 'error';
      if (res.statusCode < 400) return 'debug';
      const source = clientNetwork(req as Request);
      const { write, droppedBefore } = budget.take(source);
      if (droppedBefore > 0) {
        log.warn({ source, dropped: droppedBefore }, 'client-error log lines dropped (budget)');
      }
      return write ? 'info' : 'silent';
    },
    serializers: {
      req: (req: { id: unknown; method: unknown; url: unknown }) => ({
        id: req.id,
        method: req.method,
        url: typeof req.url === 'string' ? loggableUrl(req.url) : req.url,
      }),
    },
  });
}
