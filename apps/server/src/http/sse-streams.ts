import { AppError } from '../errors.ts';

/**
 * Open progress streams per user and in total. Each stream holds a socket and a file
 * descriptor for as long as the client likes, so both counts are capped: one user cannot
 * exhaust the process's descriptors by opening thousands of streams to one video.
 */
export class SseStreams {
  private readonly perUser = new Map<string, number>();
  private total = 0;

  constructor(private readonly limits: { maxPerUser: number; maxTotal: number }) {}

  /** Reserves a slot or throws 429; the returned release is idempotent. */
  open(userId: string): () => void {
    const mine = this.perUser.get(userId) ?? 0;
    if (mine >= this.limits.maxPerUser) {
      throw new AppError(
        'RATE_LIMITED',
        `You already have ${mine} live progress streams open; close one (another tab?) and retry`,
        undefined,
        { 'Retry-After': '5' },
      );
    }
    if (this.total >= this.limits.maxTotal) {
      throw new AppError(
        'RATE_LIMITED',
        'Too many live progress streams right now; please retry shortly',
        undefined,
        { 'Retry-After': '5' },
      );
    }
    this.perUser.set(userId, mine + 1);
    this.total += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total -= 1;
      const left = (this.perUser.get(userId) ?? 1) - 1;
      if (left <= 0) this.perUser.delete(userId);
      else this.perUser.set(userId, left);
    };
  }

  get openCount(): number {
    return this.total;
  }
}
