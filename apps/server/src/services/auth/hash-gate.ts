import { AppError, rateLimited } from '../../errors.ts';

export interface HashGateLimits {
  maxConcurrent: number;
  maxConcurrentPerIp: number;
  queueMax: number;
  queueMaxPerIp: number;
  /** Benchmarks drive everything from one address: only the total cap applies then. */
  perIpDisabled: boolean;
}

interface Waiter {
  ip: string;
  start: () => void;
}

const RETRY_AFTER_MS = 1000;

/**
 * A semaphore for password hashing. bcrypt runs on libuv's thread pool (4 threads by
 * default), which file reads share: without a cap a burst of logins queues every video
 * read behind seconds of hashing. A bounded queue and a per-address cap mean one client
 * can neither fill the pool nor the queue; past them the request is refused at once
 * (429 for the address, 503 when the whole queue is full), never left waiting unbounded.
 */
export class HashGate {
  private running = 0;
  private readonly runningByIp = new Map<string, number>();
  private readonly waitingByIp = new Map<string, number>();
  private readonly queue: Waiter[] = [];

  constructor(private readonly limits: HashGateLimits) {}

  async run<T>(ip: string, work: () => Promise<T>): Promise<T> {
    await this.acquire(ip);
    try {
      return await work();
    } finally {
      this.release(ip);
    }
  }

  /** For tests and metrics. */
  stats() {
    return { running: this.running, waiting: this.queue.length };
  }

  private canStart(ip: string): boolean {
    if (this.running >= this.limits.maxConcurrent) return false;
    return (
      this.limits.perIpDisabled || count(this.runningByIp, ip) < this.limits.maxConcurrentPerIp
    );
  }

  private acquire(ip: string): Promise<void> {
    if (this.canStart(ip)) {
      this.begin(ip);
      return Promise.resolve();
    }
    if (!this.limits.perIpDisabled && count(this.waitingByIp, ip) >= this.limits.queueMaxPerIp) {
      return Promise.reject(
        rateLimited(RETRY_AFTER_MS, 'Too many sign-in attempts at once, please try again shortly'),
      );
    }
    if (this.queue.length >= this.limits.queueMax) {
      return Promise.reject(
        new AppError(
          'SERVICE_UNAVAILABLE',
          'The server is busy, please try again shortly',
          undefined,
          {
            'Retry-After': String(RETRY_AFTER_MS / 1000),
          },
        ),
      );
    }
    bump(this.waitingByIp, ip, 1);
    return new Promise((resolve) => {
      this.queue.push({ ip, start: resolve });
    });
  }

  private begin(ip: string) {
    this.running += 1;
    bump(this.runningByIp, ip, 1);
  }

  private release(ip: string) {
    this.running -= 1;
    bump(this.runningByIp, ip, -1);
    // Oldest first, skipping addresses already at their own cap so they cannot block others.
    for (let i = 0; i < this.queue.length && this.running < this.limits.maxConcurrent;) {
      const waiter = this.queue[i]!;
      if (!this.canStart(waiter.ip)) {
        i += 1;
        continue;
      }
      this.queue.splice(i, 1);
      bump(this.waitingByIp, waiter.ip, -1);
      this.begin(waiter.ip);
      waiter.start();
    }
  }
}

const count = (map: Map<string, number>, key: string) => map.get(key) ?? 0;

function bump(map: Map<string, number>, key: string, by: number) {
  const next = count(map, key) + by;
  if (next <= 0) map.delete(key);
  else map.set(key, next);
}
