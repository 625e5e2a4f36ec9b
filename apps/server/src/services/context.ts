import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Store } from '../store/types.ts';
import type { Metrics } from './metrics.ts';

/** What every service function receives besides its input; no Express, no driver. */
export interface ServiceContext {
  store: Store;
  config: Config;
  log: Logger;
  now: () => Date;
  /** Domain events for operators (payments, credits, webhooks); never a decision input. */
  metrics: Metrics;
}

export interface Actor {
  userId: string;
  /** The session of the access token (absent for video-file capability tokens). */
  sessionId?: string;
}
