/**
 * How many client-error (4xx) access-log lines each source may cause per minute. A flood of
 * bad requests from one address would otherwise write gigabytes of logs; past the budget
 * lines are only counted, and the count is reported once the source's minute is over.
 */
export class LogBudget {
  private readonly windows = new Map<
    string,
    { startedAt: number; used: number; dropped: number }
  >();

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
    /** Sources remembered at once; a flood of distinct sources resets the table. */
    private readonly maxSources = 10_000,
  ) {}

  /** Whether this line may be written, and how many were dropped in the source's last window. */
  take(source: string): { write: boolean; droppedBefore: number } {
    const at = this.now();
    let window = this.windows.get(source);
    let droppedBefore = 0;
    if (!window || at - window.startedAt >= 60_000) {
      droppedBefore = window?.dropped ?? 0;
      if (!window && this.windows.size >= this.maxSources) this.windows.clear();
      window = { startedAt: at, used: 0, dropped: 0 };
      this.windows.set(source, window);
    }
    if (window.used < this.perMinute) {
      window.used += 1;
      return { write: true, droppedBefore };
    }
    window.dropped += 1;
    return { write: false, droppedBefore };
  }
}
