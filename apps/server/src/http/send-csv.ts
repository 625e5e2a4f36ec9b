import type { Response } from 'express';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Logger } from 'pino';

/**
 * Streams a CSV download. `pipeline` is the backpressure: the next chunk is pulled only
 * after the socket took the last one (`res.write` returned true or 'drain' fired), so a slow
 * client holds one chunk, not the file. A client that disconnects destroys the response and
 * the pipeline ends the producer (its generator's `finally` runs, no more reads). A failure
 * mid-stream cuts the connection without the final chunk, so the client sees a failed
 * download, never a silently truncated file.
 */
export async function sendCsv(
  res: Response,
  csv: { filename: string; chunks: AsyncIterable<string> },
  log: Logger,
): Promise<void> {
  res.status(200);
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="${csv.filename}"`);
  try {
    await pipeline(Readable.from(csv.chunks, { objectMode: false }), res);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE') {
      log.debug({ filename: csv.filename }, 'CSV export abandoned by the client');
      return;
    }
    log.error({ err, filename: csv.filename }, 'CSV export failed mid-stream');
  }
}
