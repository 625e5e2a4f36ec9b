import { spawn, type ChildProcess } from 'node:child_process';
import { createAbortError } from './abort.ts';
import { RenderError } from './types.ts';

export interface RunOptions {
  binary: string;
  args: string[];
  signal: AbortSignal;
  onStdout?: (chunk: string) => void;
  /** Kills the process after this long; an abort is the normal way to stop it. */
  timeoutMs?: number;
  /** User-facing message when the process fails. */
  failureMessage: string;
}

const STDERR_TAIL_CHARS = 4000;
/** The process never ran: our fault (no binary, no file descriptors), not the video's. */
const START_FAILURE_MESSAGE = 'The video renderer could not be started';

/**
 * Runs ffmpeg/ffprobe to completion. Failures carry only a generic message; the stderr tail goes in
 * `cause` because it contains file paths and internals that must not reach users.
 */
export function runProcess(options: RunOptions): Promise<{ stdout: string }> {
  const { binary, args, signal, onStdout, timeoutMs, failureMessage } = options;
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(createAbortError(signal));
      return;
    }
    let child: ChildProcess;
    try {
      child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      reject(new RenderError(START_FAILURE_MESSAGE, { cause: error }));
      return;
    }
    let stdout = '';
    let stderr = '';
    let aborted = false;
    let timedOut = false;
    let started = false;
    let onAbort = () => {};
    let timer: NodeJS.Timeout | undefined;
    const finish = () => {
      signal.removeEventListener('abort', onAbort);
      if (timer) clearTimeout(timer);
    };
    // First, before anything else can throw: a spawn that fails (EMFILE, ENOENT, EACCES) is
    // reported by an 'error' event on the next tick, and an 'error' event without a listener
    // kills the whole server.
    child.once('spawn', () => (started = true));
    child.on('error', (error) => {
      finish();
      reject(new RenderError(started ? failureMessage : START_FAILURE_MESSAGE, { cause: error }));
    });
    // Out of file descriptors, Node gives up before creating the pipes; the 'error' above
    // settles the promise.
    if (!child.stdout || !child.stderr) return;

    // SIGKILL rather than SIGTERM: there is nothing worth flushing in a file we are about to delete.
    onAbort = () => {
      aborted = true;
      child.kill('SIGKILL');
    };
    signal.addEventListener('abort', onAbort, { once: true });
    if (timeoutMs !== undefined) {
      timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, timeoutMs);
    }

    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      if (onStdout) onStdout(chunk);
      else stdout += chunk;
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_TAIL_CHARS);
    });

    child.on('close', (code, killedBy) => {
      finish();
      if (aborted) {
        reject(createAbortError(signal));
      } else if (code === 0) {
        resolve({ stdout });
      } else {
        const why = timedOut ? 'timed out' : `exited with ${code ?? killedBy}`;
        const detail = `${binary.split(/[\\/]/).pop()} ${why}: ${stderr.trim()}`;
        reject(new RenderError(failureMessage, { cause: new Error(detail) }));
      }
    });
  });
}
