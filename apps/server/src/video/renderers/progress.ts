/**
 * Parses ffmpeg's `-progress` key=value stream. Chunks may split lines anywhere, so a partial line
 * is kept until its newline arrives.
 */
export function createProgressParser(onOutTimeUs: (us: number) => void): (chunk: string) => void {
  let pending = '';
  return (chunk) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const eq = line.indexOf('=');
      if (eq < 0) continue;
      const key = line.slice(0, eq).trim();
      // Older builds only have out_time_ms, which despite its name is in microseconds too.
      if (key !== 'out_time_us' && key !== 'out_time_ms') continue;
      const us = Number(line.slice(eq + 1).trim());
      if (Number.isFinite(us) && us >= 0) onOutTimeUs(us);
    }
  };
}

/** Wraps a progress callback so it only ever sees increasing integers in 0..100. */
export function monotonicProgress(onProgress: (percent: number) => void): (p: number) => void {
  let last = -1;
  return (percent) => {
    const value = Math.max(0, Math.min(100, Math.floor(percent)));
    if (value <= last) return;
    last = value;
    try {
      onProgress(value);
    } catch {
      // A faulty listener must not take down a render running inside stream callbacks.
    }
  };
}
