import { pruneExpiredSessions } from '../auth/prune-expired-sessions.ts';
import type { CoreContext } from '../context.ts';
import { pruneExpiredIdempotencyKeys } from '../idempotency/prune-expired-keys.ts';
import { pruneFinishedMail } from './prune-finished-mail.ts';
import { pruneWebhookEvents } from './prune-webhook-events.ts';

const TASKS = [
  { name: 'idempotency keys', run: pruneExpiredIdempotencyKeys },
  { name: 'webhook events', run: pruneWebhookEvents },
  { name: 'sessions', run: pruneExpiredSessions },
  { name: 'finished mail', run: pruneFinishedMail },
] as const;

/**
 * One pass over every table that would otherwise grow forever. Each task runs even if an
 * earlier one failed: a broken task must not let the other tables grow.
 */
export async function runPruning(options: { ctx: CoreContext }): Promise<Record<string, number>> {
  const deleted: Record<string, number> = {};
  // Several instances share the tables: one of them prunes at a time, the others skip.
  const ran = await options.ctx.store
    .exclusively({
      name: 'pruning',
      run: async () => {
        for (const task of TASKS) {
          try {
            deleted[task.name] = await task.run({ ctx: options.ctx });
          } catch (err) {
            options.ctx.log.error({ err }, `pruning ${task.name} failed`);
          }
        }
        return true;
      },
    })
    .catch((err: unknown) => {
      options.ctx.log.error({ err }, 'pruning could not start');
      return null;
    });
  if (ran === null) options.ctx.log.debug('pruning skipped: another instance is pruning');
  return deleted;
}

/** Runs the pruning now and then every `intervalMs`; returns a function that stops it. */
export function schedulePruning(options: {
  ctx: CoreContext;
  input: { intervalMs: number };
}): () => void {
  let running = false;
  // A huge first backlog may outlast the interval; one pass at a time is enough.
  const run = () => {
    if (running) return;
    running = true;
    void runPruning({ ctx: options.ctx }).finally(() => {
      running = false;
    });
  };
  run();
  const timer = setInterval(run, options.input.intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
