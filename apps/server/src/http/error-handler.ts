import type { ErrorRequestHandler, RequestHandler } from 'express';
import { InvalidCostOptionsError } from '@app/shared';
import { AppError, errorBody, errorResponse, STATUS_BY_CODE } from '../errors.ts';

export { errorBody };

interface HttpishError {
  type?: string;
  status?: number;
  statusCode?: number;
}

/** Body-parser and other middleware failures, by their documented `type`. */
function fromMiddleware(err: HttpishError): AppError | undefined {
  switch (err.type) {
    case 'entity.too.large':
      return new AppError('PAYLOAD_TOO_LARGE', 'Request body is too large');
    case 'entity.parse.failed':
      return new AppError('VALIDATION_ERROR', 'Request body is not valid JSON');
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return new AppError('UNSUPPORTED_MEDIA_TYPE', 'Unsupported request encoding');
  }
  // Other client errors raised by Express or body-parser (a path parameter that is not valid
  // percent-encoding, a compressed body that does not inflate) are the client's fault, not ours.
  const status = err.status ?? err.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    if (status === 413) return new AppError('PAYLOAD_TOO_LARGE', 'Request body is too large');
    if (status === 415)
      return new AppError('UNSUPPORTED_MEDIA_TYPE', 'Unsupported request encoding');
    return new AppError('VALIDATION_ERROR', 'The request could not be read');
  }
  return undefined;
}

/** The one place where failures become HTTP responses; internals never reach the client. */
export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  let appError: AppError | undefined;
  if (err instanceof AppError) appError = err;
  else if (err instanceof InvalidCostOptionsError)
    appError = new AppError('VALIDATION_ERROR', err.message);
  else if (err && typeof err === 'object') appError = fromMiddleware(err as HttpishError);

  if (!appError) {
    req.log?.error({ err }, 'unhandled error');
    appError = new AppError('INTERNAL_ERROR', 'Something went wrong on our side');
  } else if (STATUS_BY_CODE[appError.code] >= 500) {
    req.log?.warn({ code: appError.code }, appError.message);
  }
  if (res.headersSent) {
    res.destroy();
    return;
  }
  for (const [name, value] of Object.entries(appError.headers ?? {})) res.setHeader(name, value);
  const { status, body } = errorResponse(appError);
  res.status(status).json(body);
};

export const notFoundHandler: RequestHandler = (_req, res) => {
  res.status(404).json(errorBody('NOT_FOUND', 'No such endpoint'));
};

/** JSON APIs accept JSON only; anything else is refused before it reaches a route. */
export const requireJson: RequestHandler = (req, _res, next) => {
  const hasBody =
    Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'];
  if (hasBody && !req.is('application/json')) {
    next(new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the request body as application/json'));
    return;
  }
  next();
};
