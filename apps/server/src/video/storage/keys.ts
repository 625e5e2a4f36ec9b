import path from 'node:path';

/**
 * A stored name: one path segment, no leading dot (staging files are dot-prefixed, so a key
 * can never name one), nothing that a shell, a URL or another file system reads differently.
 */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

/** A key the storage refuses: it would name something outside the storage, or nothing. */
export class InvalidVideoKeyError extends Error {
  constructor(key: unknown) {
    super(`not a video storage key: ${JSON.stringify(String(key)).slice(0, 120)}`);
    this.name = 'InvalidVideoKeyError';
  }
}

export const isStorageName = (name: string): boolean => NAME.test(name) && !name.includes('..');

/**
 * One name per attempt: a stale worker removing its own output never touches the file of the
 * attempt that replaced it.
 */
export function videoNameFor(ref: { videoId: string; attempt: number }): string {
  const name = `${ref.videoId}-${ref.attempt}.mp4`;
  if (!Number.isSafeInteger(ref.attempt) || ref.attempt < 0 || !isStorageName(name)) {
    throw new InvalidVideoKeyError(name);
  }
  return name;
}

/**
 * The poster lives beside its MP4 under a name derived from it, so whoever removes the video
 * can remove it too. Keeps the key's form: a legacy absolute path gets an absolute poster path.
 */
export const posterKeyOf = (videoKey: string): string =>
  `${videoKey.replace(/\.mp4$/, '')}.poster.jpg`;

/**
 * The file a key names inside `dir`: a bare name, or (rows written before keys existed) an
 * absolute path directly inside `dir`. Anything else is refused, never guessed at.
 */
export function resolveKey(dir: string, key: string): string {
  if (typeof key !== 'string' || key.includes('\0')) throw new InvalidVideoKeyError(key);
  if (path.isAbsolute(key)) {
    const resolved = path.resolve(key);
    if (path.dirname(resolved) !== dir || !isStorageName(path.basename(resolved))) {
      throw new InvalidVideoKeyError(key);
    }
    return resolved;
  }
  if (!isStorageName(key)) throw new InvalidVideoKeyError(key);
  return path.join(dir, key);
}
