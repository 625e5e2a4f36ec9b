/**
 * Records render progress at most once per `intervalMs`, always ending with the latest value.
 * A cancel refunds the share not yet rendered, priced from the recorded progress, so the
 * last report before a pause must not be dropped; writing every report would cost a database
 * write per ffmpeg progress line instead.
 *
 * A report at or below what is already recorded (`recorded`, then each written value) is
 * dropped: the store never lowers progress, so that write would change nothing but the
 * lease, which the claim and the heartbeat keep. Every render reports 0 first, and that
 * write cost each job a transaction (six round trips on PostgreSQL) and a re-read.
 */
export function progressWriter(options: {
  intervalMs: number;
  /** The progress the video already has (its record at claim time). */
  recorded: number;
  write: (percent: number) => void;
}): {
  report: (percent: number) => void;
  stop: () => void;
} {
  let lastWrite = 0;
  let highest = options.recorded;
  let pending: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    timer = undefined;
    if (pending === undefined) return;
    const value = pending;
    pending = undefined;
    lastWrite = Date.now();
    options.write(value);
  };
  return {
    report(percent) {
      if (percent <= highest) return;
      highest = percent;
      pending = percent;
      if (timer) return;
      const wait = lastWrite + options.intervalMs - Date.now();
      if (wait <= 0) flush();
      else timer = setTimeout(flush, wait);
    },
    stop() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      pending = undefined;
    },
  };
}
