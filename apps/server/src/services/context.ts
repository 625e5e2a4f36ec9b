import type { Logger } from 'pino';
import type Stripe from 'stripe';
import type { Config } from '../config.ts';
import type { Store, VideoRecord } from '../store/types.ts';
import type { AccountMailThrottle } from './accounts/mail-throttle.ts';
import type { AuthThrottle } from './auth/login-throttle.ts';
import type { TokenService } from './auth/tokens.ts';
import type { Metrics } from './metrics.ts';
import type { VideoQueue } from './video/queue.ts';
import type { VideoStorage } from '../video/storage/video-storage.ts';

/**
 * What every service function receives besides its actor and input, built once by the
 * composition root (compose.ts): no Express, no driver, and nothing a caller passes per call.
 */
export interface ServiceContext {
  store: Store;
  config: Config;
  log: Logger;
  now: () => Date;
  /** Domain events for operators (payments, credits, webhooks); never a decision input. */
  metrics: Metrics;
  stripe: Stripe;
  videoQueue: VideoQueue;
  /** Rendered files and posters, shared by every instance (VIDEO_DIR). */
  videoStorage: VideoStorage;
  tokens: TokenService;
  throttles: {
    /** Password checks (sign-in, password change, confirmations) and signups. */
    login: AuthThrottle;
    /** Verification resends, password resets and email changes per address and network. */
    accountMail: AccountMailThrottle;
  };
  /** The short-lived capability a video's `fileUrl` carries (a <video> cannot send headers). */
  videoFileToken: (video: VideoRecord) => string;
}

/**
 * The part of the context that needs no server around it: what jobs run from the command
 * line, a benchmark or a timer (pruning, reconciliation) are typed against, so they can be
 * run without a video queue, tokens or throttles.
 */
export type CoreContext = Pick<ServiceContext, 'store' | 'config' | 'log' | 'now' | 'metrics'>;

export interface Actor {
  userId: string;
  /** The session of the access token (absent for video-file capability tokens). */
  sessionId?: string;
  /**
   * Set when only the access token's signature has been checked so far: the charge of a
   * generation checks the session itself (one round trip fewer). Nothing else accepts such an
   * actor (`actorOf` refuses it unless told otherwise).
   */
  sessionCheckedBy?: 'charge';
}

/**
 * Where a request came from, for the per-address throttles: the address itself, and its
 * network (an IPv6 /64 is one network, so rotating addresses inside it gains nothing).
 */
export interface ClientAddress {
  ip: string;
  network: string;
}
