/**
 * Records render progress at most once per `intervalMs`, always ending with the latest value.
 * A cancel refunds the share not yet rendered, priced from the recorded progress, so the
 * last report before a pause must not be dropped; writing every report would cost a database
 * write per ffmpeg progress line instead.
 */
export function progressWriter(options: { intervalMs: number; write: (percent: number) => void }): {
  report: (percent: number) => void;
  stop: () => void;
} {
  let lastWrite = 0;
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
