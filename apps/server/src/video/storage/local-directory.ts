import { randomUUID } from 'node:crypto';
import { constants, mkdirSync } from 'node:fs';
import { chmod, lstat, open, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { AppError } from '../../errors.ts';
import { posterKeyOf, resolveKey, videoNameFor } from './keys.ts';
import type {
  ByteRange,
  OpenedFile,
  StagedFile,
  StoredFileInfo,
  VideoStorage,
} from './video-storage.ts';

const FILE_MODE = 0o600;

const isMissing = (err: unknown) =>
  (err as NodeJS.ErrnoException).code === 'ENOENT' ||
  (err as NodeJS.ErrnoException).code === 'ENOTDIR';

/**
 * Videos as files in one directory, which may be a volume shared by several instances. Files
 * appear by `rename` from a staging name in the same directory (atomic on one file system)
 * and are readable by the server's user only.
 */
export class LocalDirectoryStorage implements VideoStorage {
  readonly dir: string;
  private readonly absoluteKeys: boolean;

  constructor(options: {
    dir: string;
    /** Hand out absolute paths as keys (the form records held before keys existed). */
    absoluteKeys?: boolean;
  }) {
    this.dir = path.resolve(options.dir);
    this.absoluteKeys = options.absoluteKeys ?? false;
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
  }

  keyFor(ref: { videoId: string; attempt: number }): string {
    const name = videoNameFor(ref);
    return this.absoluteKeys ? path.join(this.dir, name) : name;
  }

  posterKeyOf(videoKey: string): string {
    resolveKey(this.dir, videoKey);
    return posterKeyOf(videoKey);
  }

  /** The file behind a key, for tools that need a path (ffprobe, `sendFile`). */
  pathOf(key: string): string {
    return resolveKey(this.dir, key);
  }

  // Async so that an invalid key rejects, as with every other method, instead of throwing.
  async stage(key: string): Promise<StagedFile> {
    const target = resolveKey(this.dir, key);
    // Dot-prefixed: never a valid key, so no reader can ask for a file still being written.
    const temp = path.join(this.dir, `.${path.basename(target)}.${randomUUID()}.staged`);
    return {
      path: temp,
      async publish() {
        await chmod(temp, FILE_MODE);
        await rename(temp, target);
      },
      async discard() {
        await rm(temp, { force: true });
      },
    };
  }

  async open(key: string, range?: ByteRange): Promise<OpenedFile | null> {
    const file = resolveKey(this.dir, key);
    let handle;
    try {
      // A symlink planted in the directory is not followed out of it.
      handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch (err) {
      if (isMissing(err) || (err as NodeJS.ErrnoException).code === 'ELOOP') return null;
      throw err;
    }
    try {
      // Size and bytes come from the same open file, whatever happens to the name meanwhile.
      const info = await handle.stat();
      if (!info.isFile()) {
        await handle.close();
        return null;
      }
      const { start, end } = clampRange(range, info.size);
      if (end < start) {
        await handle.close();
        return { stream: Readable.from([]), size: 0, start, end };
      }
      return { stream: handle.createReadStream({ start, end }), size: info.size, start, end };
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  async stat(key: string): Promise<StoredFileInfo | null> {
    const file = resolveKey(this.dir, key);
    try {
      const info = await lstat(file);
      return info.isFile() ? { size: info.size, modifiedAt: info.mtime } : null;
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  async remove(key: string): Promise<void> {
    await rm(resolveKey(this.dir, key), { force: true });
  }

  async sweepAbandoned(input: { before: Date }): Promise<number> {
    let removed = 0;
    for (const name of await readdir(this.dir)) {
      if (!STAGED_NAME.test(name)) continue;
      const file = path.join(this.dir, name);
      const info = await lstat(file).catch(() => null);
      if (!info?.isFile() || info.mtime >= input.before) continue;
      await rm(file, { force: true });
      removed += 1;
    }
    return removed;
  }
}

/** `.<key>.<uuid>.staged`, as `stage` names them: never a valid key, never user data. */
const STAGED_NAME = /^\..+\.[0-9a-f-]{36}\.staged$/;

function clampRange(range: ByteRange | undefined, size: number): ByteRange {
  if (!range) return { start: 0, end: size - 1 };
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
    throw new RangeError(`invalid byte range ${start}-${end}`);
  }
  if (start >= size) {
    throw new AppError(
      'RANGE_NOT_SATISFIABLE',
      'The requested range is outside the file',
      undefined,
      { 'Content-Range': `bytes */${size}` },
    );
  }
  return { start, end: Math.min(end, size - 1) };
}
