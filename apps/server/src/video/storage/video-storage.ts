import type { Readable } from 'node:stream';

export { InvalidVideoKeyError } from './keys.ts';

/** Inclusive byte offsets, as in an HTTP `Range: bytes=start-end`. */
export interface ByteRange {
  start: number;
  end: number;
}

export interface StoredFileInfo {
  size: number;
  modifiedAt: Date;
}

export interface OpenedFile {
  /** Holds the file open until it ends or is destroyed: consume it or destroy it. */
  stream: Readable;
  /** The whole file's size, for `Content-Range`. */
  size: number;
  /** What the stream yields (inclusive); `end` is `start - 1` for an empty file. */
  start: number;
  end: number;
}

/**
 * A file being produced for a key. Producers (renderers, ffmpeg) need a local path to write
 * to; nothing is visible under the key until `publish`, which puts the whole file in place at
 * once, so a reader never sees half of one.
 */
export interface StagedFile {
  readonly path: string;
  publish(): Promise<void>;
  /** Drops an unpublished file; harmless after `publish` or when nothing was written. */
  discard(): Promise<void>;
}

/**
 * Where rendered videos and their posters live, shared by every instance (issue 12). Keys are
 * per attempt, so no two workers ever write, or remove, the same key. A key that does not name
 * a file inside the storage throws `InvalidVideoKeyError` from every method.
 */
export interface VideoStorage {
  /** The key of one render attempt's MP4; this is what the video record keeps. */
  keyFor(ref: { videoId: string; attempt: number }): string;
  posterKeyOf(videoKey: string): string;
  stage(key: string): Promise<StagedFile>;
  /**
   * Null when there is no such file. A range starting past the end throws an AppError
   * `RANGE_NOT_SATISFIABLE` carrying `Content-Range: bytes *\/size`; an end past it is clamped.
   */
  open(key: string, range?: ByteRange): Promise<OpenedFile | null>;
  stat(key: string): Promise<StoredFileInfo | null>;
  /** Removes exactly this key, never a pattern; nothing there is not an error. */
  remove(key: string): Promise<void>;
  /**
   * Removes staged files last written before `before`: what a process that died mid-render
   * left behind (a live render elsewhere writes its staged file more recently than that).
   * Returns how many went.
   */
  sweepAbandoned(input: { before: Date }): Promise<number>;
}
