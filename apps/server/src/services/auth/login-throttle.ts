import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { rateLimited } from '../../errors.ts';

export interface ThrottleLimits {
  disabled: boolean;
  loginPerAccount: number;
  loginPerIp: number;
  signupPerIp: number;
}

const limited = (res: RateLimiterRes) =>
  rateLimited(res.msBeforeNext, 'Too many attempts, please try again later');

/**
 * Brute-force protection, checked before any bcrypt work so a flood cannot burn CPU.
 * Failures are counted per (account, IP) and per IP; the account+IP block also refuses the
 * right password, otherwise an attacker could learn it by watching which attempt gets in.
 */
export class AuthThrottle {
  private readonly accountFailures: RateLimiterMemory;
  private readonly ipFailures: RateLimiterMemory;
  private readonly signups: RateLimiterMemory;

  constructor(private readonly limits: ThrottleLimits) {
    this.accountFailures = new RateLimiterMemory({
      keyPrefix: 'login_acct',
      points: limits.loginPerAccount,
      duration: 15 * 60,
      blockDuration: 15 * 60,
    });
    this.ipFailures = new RateLimiterMemory({
      keyPrefix: 'login_ip',
      points: limits.loginPerIp,
      duration: 60 * 60,
      blockDuration: 60 * 60,
    });
    this.signups = new RateLimiterMemory({
      keyPrefix: 'signup_ip',
      points: limits.signupPerIp,
      duration: 60 * 60,
    });
  }

  async assertLoginAllowed(email: string, ip: string): Promise<void> {
    if (this.limits.disabled) return;
    const [account, byIp] = await Promise.all([
      this.accountFailures.get(`${email}|${ip}`),
      this.ipFailures.get(ip),
    ]);
    if (account && account.consumedPoints >= this.limits.loginPerAccount) throw limited(account);
    if (byIp && byIp.consumedPoints >= this.limits.loginPerIp) throw limited(byIp);
  }

  async recordLoginFailure(email: string, ip: string): Promise<void> {
    if (this.limits.disabled) return;
    await Promise.all([
      this.accountFailures.penalty(`${email}|${ip}`, 1),
      this.ipFailures.penalty(ip, 1),
    ]);
  }

  async recordLoginSuccess(email: string, ip: string): Promise<void> {
    await this.accountFailures.delete(`${email}|${ip}`);
  }

  async consumeSignup(ip: string): Promise<void> {
    if (this.limits.disabled) return;
    try {
      await this.signups.consume(ip);
    } catch (res) {
      if (res instanceof RateLimiterRes) throw limited(res);
      throw res;
    }
  }
}
