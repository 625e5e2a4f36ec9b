import type { Request, Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../errors.ts';
import {
  InvalidVideoKeyError,
  type ByteRange,
  type VideoStorage,
} from '../video/storage/video-storage.ts';

/**
 * Streams a file from the video storage, with what `<video>` needs to seek (`Accept-Ranges`,
 * one byte range, 206 with `Content-Range`, 416 past the end) and `If-Modified-Since`.
 * Several ranges in one request are answered with the whole file, as HTTP allows; a key that
 * does not name a file inside the storage looks like a missing file.
 */
export async function sendStoredFile(options: {
  req: Request;
  res: Response;
  storage: VideoStorage;
  key: string;
  contentType: string;
  acceptRanges: boolean;
  missing: () => AppError;
}): Promise<void> {
  const { req, res, storage, key } = options;
  const info = await storage.stat(key).catch((err: unknown) => {
    if (err instanceof InvalidVideoKeyError) return null;
    throw err;
  });
  if (!info) throw options.missing();
  const modified = new Date(Math.floor(info.modifiedAt.getTime() / 1000) * 1000);
  res.setHeader('Content-Type', options.contentType);
  res.setHeader('Last-Modified', modified.toUTCString());
  res.setHeader('Accept-Ranges', options.acceptRanges ? 'bytes' : 'none');
  const since = Date.parse(req.get('If-Modified-Since') ?? '');
  if (!req.get('Range') && Number.isFinite(since) && modified.getTime() <= since) {
    res.status(304).end();
    return;
  }
  let range: ByteRange | undefined;
  if (options.acceptRanges && req.get('Range')) {
    const ranges = req.range(info.size, { combine: true });
    if (ranges === -1) {
      throw new AppError(
        'RANGE_NOT_SATISFIABLE',
        'The requested range is outside the file',
        {
          size: info.size,
        },
        { 'Content-Range': `bytes */${info.size}` },
      );
    }
    if (Array.isArray(ranges) && ranges.type === 'bytes' && ranges.length === 1) range = ranges[0];
  }
  const opened = await storage.open(key, range);
  if (!opened) throw options.missing();
  if (range) {
    res.status(206);
    res.setHeader('Content-Range', `bytes ${opened.start}-${opened.end}/${opened.size}`);
  }
  res.setHeader('Content-Length', String(opened.end - opened.start + 1));
  if (req.method === 'HEAD') {
    opened.stream.destroy();
    res.end();
    return;
  }
  // A client that goes away mid-file ends the pipeline; the file is closed either way.
  await pipeline(opened.stream, res).catch(() => undefined);
}
