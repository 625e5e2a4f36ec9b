/**
 * Callers tell cancellations apart from failures by `name === 'AbortError'`, whatever reason the
 * signal was aborted with, so the reason goes in `cause` rather than being rethrown as is.
 */
export function createAbortError(signal?: AbortSignal): Error {
  const error = new Error('Render aborted', { cause: signal?.reason });
  error.name = 'AbortError';
  return error;
}

export function isAbortError(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}

export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw createAbortError(signal);
}
