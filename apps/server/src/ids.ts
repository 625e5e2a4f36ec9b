import { randomFillSync } from 'node:crypto';
import { v7 } from 'uuid';

// uuid's own v7 asks Web Crypto for 16 bytes per id, which costs more than the rest of a
// charge's bookkeeping; the bytes are drawn here in blocks instead.
const BLOCK_IDS = 256;
const pool = new Uint8Array(16 * BLOCK_IDS);
let next = pool.length;
const clock = { msecs: -Infinity, seq: 0 };

/**
 * A UUIDv7: time-ordered, so new rows land at the end of their indexes. Ids made in the
 * same millisecond keep their order through a counter, as uuid's own v7 does.
 */
export function newId(): string {
  if (next === pool.length) {
    randomFillSync(pool);
    next = 0;
  }
  const random = pool.subarray(next, (next += 16));
  const now = Date.now();
  if (now > clock.msecs) {
    clock.msecs = now;
    clock.seq = ((random[6]! & 0x7f) << 24) | (random[7]! << 16) | (random[8]! << 8) | random[9]!;
  } else {
    clock.seq = (clock.seq + 1) | 0;
    if (clock.seq === 0) clock.msecs++;
  }
  return v7({ random, msecs: clock.msecs, seq: clock.seq });
}
