import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Store } from '../store/types.ts';

/** What every service function receives besides its input; no Express, no driver. */
export interface ServiceContext {
  store: Store;
  config: Config;
  log: Logger;
  now: () => Date;
}

export interface Actor {
  userId: string;
}
