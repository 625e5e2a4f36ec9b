import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { LimiterFactory } from '../../store/types.ts';
import type { Config } from '../../config.ts';
import { rateLimited } from '../../errors.ts';

/**
 * Mail that anyone can make the server send (verification resends, password resets, email
 * changes) is limited per recipient address and per client network, per hour. The address
 * limit counts whether or not an account exists, so a 429 tells nothing about the address.
 */
export class AccountMailThrottle {
  private readonly perAddress: RateLimiterAbstract;
  private readonly perNetwork: RateLimiterAbstract;

  constructor(
    private readonly limits: Config['rateLimits'],
    make: LimiterFactory = (o) => new RateLimiterMemory(o),
  ) {
    this.perAddress = make({
      keyPrefix: 'mail_addr',
      points: limits.accountMailPerAddress,
      duration: 3600,
    });
    this.perNetwork = make({
      keyPrefix: 'mail_net',
      points: limits.accountMailPerIp,
      duration: 3600,
    });
  }

  async consume(address: string, network: string): Promise<void> {
    if (this.limits.disabled) return;
    try {
      await this.perNetwork.consume(network);
    } catch (res) {
      if (res instanceof RateLimiterRes) throw tooMany(res);
      throw res;
    }
    try {
      await this.perAddress.consume(address.toLowerCase());
    } catch (res) {
      await this.perNetwork.reward(network, 1);
      if (res instanceof RateLimiterRes) throw tooMany(res);
      throw res;
    }
  }
}

const tooMany = (res: RateLimiterRes) =>
  rateLimited(res.msBeforeNext, 'Too many emails requested, please try again later');
