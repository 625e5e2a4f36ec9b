import { Worker } from 'node:worker_threads';

export interface StrengthResult {
  /** zxcvbn's 0-4 estimate (0: among the most common passwords, 4: very hard to guess). */
  score: number;
  warning: string | null;
  suggestions: string[];
}

interface Reply extends Partial<StrengthResult> {
  id: number;
  error?: string;
}

/** zxcvbn is superlinear in the length; the first 64 characters decide (a longer tail only helps). */
const MAX_CHECKED_CHARS = 64;

let worker: Worker | undefined;
let nextId = 0;
const pending = new Map<
  number,
  { resolve: (r: StrengthResult) => void; reject: (e: Error) => void }
>();

function failAll(err: Error) {
  for (const p of pending.values()) p.reject(err);
  pending.clear();
  worker = undefined;
}

/** One long-lived worker, started on first use; it keeps the process alive only while busy. */
function strengthWorker(): Worker {
  if (worker) return worker;
  const w = new Worker(new URL('./password-strength-worker.mjs', import.meta.url));
  w.on('message', (reply: Reply) => {
    const entry = pending.get(reply.id);
    if (!entry) return;
    pending.delete(reply.id);
    if (pending.size === 0) w.unref();
    if (reply.error !== undefined) entry.reject(new Error(reply.error));
    else
      entry.resolve({
        score: reply.score!,
        warning: reply.warning ?? null,
        suggestions: reply.suggestions ?? [],
      });
  });
  w.on('error', failAll);
  w.on('exit', () => failAll(new Error('password strength worker exited')));
  w.unref();
  worker = w;
  return w;
}

/** Estimates how guessable a password is, penalising the user's own email and name. */
export function estimateStrength(password: string, userInputs: string[]): Promise<StrengthResult> {
  const checked = [...password].slice(0, MAX_CHECKED_CHARS).join('');
  const w = strengthWorker();
  const id = (nextId += 1);
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    w.ref();
    w.postMessage({ id, password: checked, userInputs });
  });
}
