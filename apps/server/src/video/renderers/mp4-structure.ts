import { open } from 'node:fs/promises';

export type Mp4Problem = 'not-mp4' | 'truncated';

// Plenty for any MP4 we write (ftyp, moov, free, mdat), bounded so a hostile file cannot spin us.
const MAX_TOP_LEVEL_BOXES = 10_000;

/**
 * Walks the top-level ISO-BMFF boxes. ffprobe alone accepts a faststart MP4 cut short, because
 * the moov index at the front still describes the full duration; the box sizes do not add up.
 */
export async function checkMp4Structure(path: string): Promise<Mp4Problem | null> {
  const file = await open(path, 'r');
  try {
    const { size: fileSize } = await file.stat();
    const header = Buffer.alloc(16);
    const types: string[] = [];
    let offset = 0;
    while (offset < fileSize) {
      if (types.length >= MAX_TOP_LEVEL_BOXES) return 'not-mp4';
      const { bytesRead } = await file.read(header, 0, 16, offset);
      if (bytesRead < 8) return types.length === 0 ? 'not-mp4' : 'truncated';
      const size32 = header.readUInt32BE(0);
      const type = header.toString('latin1', 4, 8);
      if (types.length === 0 && type !== 'ftyp') return 'not-mp4';
      let boxSize: number;
      if (size32 === 1) {
        if (bytesRead < 16) return 'truncated';
        boxSize = Number(header.readBigUInt64BE(8));
      } else if (size32 === 0) {
        boxSize = fileSize - offset;
      } else {
        boxSize = size32;
      }
      if (boxSize < 8) return types.length === 0 ? 'not-mp4' : 'truncated';
      if (offset + boxSize > fileSize) return 'truncated';
      types.push(type);
      offset += boxSize;
    }
    if (!types.includes('moov') || !types.includes('mdat')) return 'truncated';
    return null;
  } finally {
    await file.close();
  }
}
