import { pino, type Logger } from 'pino';

export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'credit-api' }, timestamp: pino.stdTimeFunctions.isoTime });
}
