import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { LimiterFactory } from '../../store/types.ts';
import type { Config } from '../../config.ts';
import { rateLimited } from '../../errors.ts';
import { HashGate } from './hash-gate.ts';

export interface ThrottleLimits {
  disabled: boolean;
  loginPerAccount: number;
  loginPerIp: number;
  signupPerIp: number;
}

/** A password check that holds its throttle points until it knows how it ended. */
export interface Attempt {
  /** The password was right: the account's failure streak ends and the IP gets its point back. */
  succeeded(): Promise<void>;
  /** The password was never checked (e.g. the hashing queue was full): the points go back. */
  refund(): Promise<void>;
}

const NO_ATTEMPT: Attempt = { succeeded: async () => {}, refund: async () => {} };

const limited = (res: RateLimiterRes) =>
  rateLimited(res.msBeforeNext, 'Too many attempts, please try again later');

async function consume(limiter: RateLimiterAbstract, key: string): Promise<void> {
  try {
    await limiter.consume(key);
  } catch (res) {
    if (res instanceof RateLimiterRes) throw limited(res);
    throw res;
  }
}

/**
 * Brute-force protection. A point is taken BEFORE any bcrypt work, atomically: counting a
 * failure only after the hash let 60 parallel guesses all pass a limit of 10. Points are
 * per (account, IP) and per IP; the account+IP block also refuses the right password,
 * otherwise an attacker could learn it by watching which attempt gets in.
 */
export class AuthThrottle {
  private readonly accountFailures: RateLimiterAbstract;
  private readonly ipFailures: RateLimiterAbstract;
  private readonly signups: RateLimiterAbstract;
  /** Caps concurrent bcrypt work (and password-strength checks) per IP and in total. */
  readonly hashing: HashGate;

  constructor(
    private readonly limits: ThrottleLimits,
    bcrypt: Config['bcrypt'],
    /** Where the counters live: shared by every instance on PostgreSQL. */
    make: LimiterFactory = (o) => new RateLimiterMemory(o),
  ) {
    this.accountFailures = make({
      keyPrefix: 'login_acct',
      points: limits.loginPerAccount,
      duration: 15 * 60,
      blockDuration: 15 * 60,
    });
    this.ipFailures = make({
      keyPrefix: 'login_ip',
      points: limits.loginPerIp,
      duration: 60 * 60,
      blockDuration: 60 * 60,
    });
    this.signups = make({
      keyPrefix: 'signup_ip',
      points: limits.signupPerIp,
      duration: 60 * 60,
    });
    this.hashing = new HashGate({ ...bcrypt, perIpDisabled: limits.disabled });
  }

  /**
   * Takes one point for `account` (an email, or `user:<id>` for a password change) from
   * this IP and one for the IP, or throws 429.
   */
  async beginAttempt(account: string, ip: string): Promise<Attempt> {
    if (this.limits.disabled) return NO_ATTEMPT;
    const key = `${account}|${ip}`;
    await consume(this.accountFailures, key);
    try {
      await consume(this.ipFailures, ip);
    } catch (err) {
      await this.accountFailures.reward(key, 1);
      throw err;
    }
    return {
      succeeded: async () => {
        await Promise.all([this.accountFailures.delete(key), this.ipFailures.reward(ip, 1)]);
      },
      refund: async () => {
        await Promise.all([this.accountFailures.reward(key, 1), this.ipFailures.reward(ip, 1)]);
      },
    };
  }

  /** One signup per point, taken before hashing; returns how to give it back. */
  async consumeSignup(ip: string): Promise<() => Promise<void>> {
    if (this.limits.disabled) return async () => {};
    await consume(this.signups, ip);
    return async () => {
      await this.signups.reward(ip, 1);
    };
  }
}
