export interface Timeline {
  /** Exact rational "num/den" so frameCount frames last exactly the requested duration. */
  frameRate: string;
  frameCount: number;
  /** Frames per card, same order as the cards; every entry >= 1. */
  framesPerCard: number[];
}

// Cards are static, so one frame per second looks identical to 30 and costs 30x less to encode.
const TARGET_FPS = 1;
// Very short videos still get every card on screen, at most this fast.
const MAX_FPS = 30;

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * Spreads `cardCount` cards evenly over the duration. When the video is too short for every card
 * to get a frame, only the first `framesPerCard.length` cards are shown; callers order cards so
 * that what matters most survives (see fitCards).
 */
export function planTimeline(durationSeconds: number, cardCount: number): Timeline {
  const durationMs = Math.max(1, Math.round(durationSeconds * 1000));
  const wanted = Math.max(1, Math.ceil((durationMs / 1000) * TARGET_FPS));
  const affordable = Math.max(1, Math.floor((durationMs / 1000) * MAX_FPS));
  const frameCount = Math.max(wanted, Math.min(cardCount, affordable));
  const shown = Math.min(cardCount, frameCount);
  const base = Math.floor(frameCount / shown);
  const extra = frameCount % shown;
  const framesPerCard = Array.from({ length: shown }, (_, i) => base + (i < extra ? 1 : 0));
  const num = frameCount * 1000;
  const divisor = gcd(num, durationMs);
  return { frameRate: `${num / divisor}/${durationMs / divisor}`, frameCount, framesPerCard };
}

/** Keeps the last card (the options) when there is room for only `count` cards. */
export function fitCards<T>(cards: T[], count: number): T[] {
  if (count >= cards.length) return cards;
  if (count <= 1) return cards.slice(0, 1);
  return [...cards.slice(0, count - 1), ...cards.slice(-1)];
}
