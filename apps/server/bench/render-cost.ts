import { ADD_ONS, RESOLUTIONS, type Resolution } from '@app/shared';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { assertPlayableMp4, createRenderer } from '../src/video/renderers/index.ts';
import { RESOLUTION_SIZE } from '../src/video/resolution.ts';

/**
 * `pnpm bench:render`: seconds of render per minute of output with the real ffmpeg renderer,
 * called directly (not through the video worker), for every resolution of the pricing table,
 * without and with every add-on, and for 1..cores renders at once (VIDEO_CONCURRENCY).
 *
 * Two figures per cell: the machine's cost (wall time of a batch of `c` simultaneous renders
 * over the minutes they produced: what capacity costs) and one video's wait (each render's
 * own time over its minutes: what a user sees). Batches of every cell are interleaved, in
 * reversed order every other round, so a change in the machine's load spreads over all cells.
 *
 * RENDER_BENCH_MINUTES (default 10) and RENDER_BENCH_ROUNDS (default 3) make it shorter.
 */

const MINUTES = Number(process.env.RENDER_BENCH_MINUTES ?? 10);
const ROUNDS = Number(process.env.RENDER_BENCH_ROUNDS ?? 3);
const CORES = cpus().length;
/** A higher concurrency is only worth it if it buys at least this much throughput. */
const WORTHWHILE_GAIN = 0.1;

interface Cell {
  resolution: Resolution;
  addOns: boolean;
  concurrency: number;
  batchSeconds: number;
  jobSeconds: number;
  jobs: number;
}

const renderer = createRenderer('ffmpeg');

async function renderOne(dir: string, resolution: Resolution, addOns: boolean, i: number) {
  const { width, height } = RESOLUTION_SIZE[resolution];
  const outputPath = path.join(dir, `${resolution}-${addOns ? 'addons' : 'plain'}-${i}.mp4`);
  const started = performance.now();
  await renderer.render({
    videoId: `render-cost-${i}`,
    prompt: 'How much does a minute of video cost to render on this machine?',
    durationSeconds: MINUTES * 60,
    width,
    height,
    customMusic: addOns,
    premiumTTS: addOns,
    aiEnhancement: addOns,
    outputPath,
    signal: AbortSignal.timeout(MINUTES * 60_000),
    onProgress: () => undefined,
  });
  return { seconds: (performance.now() - started) / 1000, outputPath };
}

async function main() {
  const dir = mkdtempSync(path.join(tmpdir(), 'render-cost-'));
  console.log(
    `render cost: ${CORES} CPU(s) (${cpus()[0]?.model ?? 'unknown'}), load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}, ${MINUTES}-minute videos, ${ROUNDS} rounds, add-ons: ${ADD_ONS.join(' + ')}`,
  );
  const cells: Cell[] = [];
  for (const resolution of RESOLUTIONS)
    for (const addOns of [false, true])
      for (let concurrency = 1; concurrency <= CORES; concurrency++)
        cells.push({ resolution, addOns, concurrency, batchSeconds: 0, jobSeconds: 0, jobs: 0 });
  try {
    // Every variant once, outside the timings: warms the disk cache and proves the output plays.
    for (const resolution of RESOLUTIONS)
      for (const addOns of [false, true]) {
        const { outputPath } = await renderOne(dir, resolution, addOns, 0);
        await assertPlayableMp4(outputPath, {
          ...RESOLUTION_SIZE[resolution],
          durationSeconds: MINUTES * 60,
        });
        rmSync(outputPath);
      }
    for (let round = 0; round < ROUNDS; round++) {
      for (const cell of round % 2 === 0 ? cells : [...cells].reverse()) {
        const started = performance.now();
        const runs = await Promise.all(
          Array.from({ length: cell.concurrency }, (_, i) =>
            renderOne(dir, cell.resolution, cell.addOns, i + 1),
          ),
        );
        cell.batchSeconds += (performance.now() - started) / 1000;
        for (const r of runs) {
          cell.jobSeconds += r.seconds;
          cell.jobs += 1;
          rmSync(r.outputPath);
        }
      }
      console.log(`  round ${round + 1}/${ROUNDS} done`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const machine = (c: Cell) => c.batchSeconds / (c.jobs * MINUTES);
  const wait = (c: Cell) => c.jobSeconds / (c.jobs * MINUTES);
  const header = ['resolution', 'add-ons', 'VIDEO_CONCURRENCY', 'machine s/min', 'one video s/min'];
  const rows = cells.map((c) => [
    c.resolution,
    c.addOns ? 'all' : 'none',
    String(c.concurrency),
    machine(c).toFixed(3),
    wait(c).toFixed(3),
  ]);
  console.log(`\n| ${header.join(' | ')} |\n| ${header.map(() => '---').join(' | ')} |`);
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);

  // Capacity summed over every variant: the smallest concurrency within WORTHWHILE_GAIN of
  // the best, since each extra simultaneous render takes CPU from the API on the same cores.
  const capacity = (c: number) =>
    cells.filter((cell) => cell.concurrency === c).reduce((n, cell) => n + machine(cell), 0);
  const levels = Array.from({ length: CORES }, (_, i) => i + 1);
  const best = Math.min(...levels.map(capacity));
  const chosen = levels.find((c) => capacity(c) <= best * (1 + WORTHWHILE_GAIN))!;
  console.log(
    `\nmachine seconds per output minute, all variants summed: ${levels
      .map((c) => `c=${c} ${capacity(c).toFixed(3)}`)
      .join(', ')}; suggested VIDEO_CONCURRENCY=${chosen} (the smallest within ${
      WORTHWHILE_GAIN * 100
    }% of the best)`,
  );
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
