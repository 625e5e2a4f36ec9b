/**
 * Charges that arrive while others are being charged go to PostgreSQL together, in one
 * statement and one transaction (migration 8). A charge that finds a free slot goes at once,
 * alone: batching adds no wait, it only gathers the charges that would have queued for a
 * connection anyway.
 */
export interface ChargeBatcherOptions<I, R> {
  /** Statements charging at once; the rest of the pool stays free for everything else. */
  slots: number;
  /** At most this many charges in one statement (the batch holds its users' rows to the end). */
  maxBatch: number;
  one(input: I): Promise<R>;
  /**
   * All the charges or none: `rolled_back` when PostgreSQL refused the statement, so nothing
   * of it was written (one bad charge must then fail alone). A thrown error means the
   * outcome is unknown (the connection was lost): every charge of the batch fails with it.
   */
  many(inputs: I[]): Promise<R[] | 'rolled_back'>;
}

interface Waiting<I, R> {
  input: I;
  resolve(result: R): void;
  reject(err: unknown): void;
}

export class ChargeBatcher<I, R> {
  private readonly waiting: Waiting<I, R>[] = [];
  private busy = 0;

  constructor(private readonly o: ChargeBatcherOptions<I, R>) {}

  charge(input: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ input, resolve, reject });
      this.sendWhatFits();
    });
  }

  private sendWhatFits(): void {
    while (this.busy < this.o.slots && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.o.maxBatch);
      this.busy++;
      void this.settle(batch).finally(() => {
        this.busy--;
        this.sendWhatFits();
      });
    }
  }

  private async settle(batch: Waiting<I, R>[]): Promise<void> {
    if (batch.length > 1) {
      let results: R[] | 'rolled_back';
      try {
        results = await this.o.many(batch.map((w) => w.input));
      } catch (err) {
        for (const w of batch) w.reject(err);
        return;
      }
      if (results !== 'rolled_back') {
        batch.forEach((w, i) => w.resolve(results[i]!));
        return;
      }
    }
    await Promise.all(batch.map((w) => this.o.one(w.input).then(w.resolve, w.reject)));
  }
}
