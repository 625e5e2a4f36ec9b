/**
 * Text preparation for monospace cards. The bundled font is monospace so wrapping can be exact
 * without measuring glyphs.
 */

/** Advance width of Roboto Mono (1229/2048 em), rounded up so lines never overflow. */
export const MONO_ADVANCE_EM = 0.601;

// Ranges Roboto Mono covers (Latin, Latin-1, Latin Extended-A/B, Greek, Cyrillic, common
// punctuation). Anything else would render as an empty box, which looks like a bug.
const SUPPORTED_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x20, 0x7e],
  [0xa0, 0x24f],
  [0x370, 0x3ff],
  [0x400, 0x4ff],
  [0x2010, 0x2027],
  [0x2030, 0x203a],
  [0x20ac, 0x20ac],
  [0x2122, 0x2122],
];

const REPLACEMENT = '?';
const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });

function isSupported(codePoint: number): boolean {
  return SUPPORTED_RANGES.some(([lo, hi]) => codePoint >= lo && codePoint <= hi);
}

/**
 * Normalises user text to what the font can draw: one '?' per unsupported grapheme (so an emoji
 * ZWJ sequence becomes a single '?'), tabs as spaces, other control characters dropped.
 */
export function sanitizeText(input: string): string {
  const text = input.normalize('NFC').replace(/\r\n?/g, '\n').replace(/\t/g, ' ');
  let out = '';
  for (const { segment } of segmenter.segment(text)) {
    if (segment === '\n') {
      out += '\n';
      continue;
    }
    const codePoints = Array.from(segment, (ch) => ch.codePointAt(0) ?? 0);
    if (codePoints.every((cp) => cp < 0x20 || (cp >= 0x7f && cp < 0xa0))) continue;
    out += codePoints.every(isSupported) ? segment : REPLACEMENT;
  }
  return out;
}

/** Greedy word wrap to `columns` characters; words longer than a line are hard-broken. */
export function wrapText(text: string, columns: number): string[] {
  const width = Math.max(1, Math.floor(columns));
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line: string[] = [];
    for (const word of paragraph.split(' ').filter((w) => w.length > 0)) {
      let chars = Array.from(word);
      if (line.length > 0 && line.length + 1 + chars.length <= width) {
        line.push(' ', ...chars);
        continue;
      }
      if (line.length > 0) lines.push(line.join(''));
      while (chars.length > width) {
        lines.push(chars.slice(0, width).join(''));
        chars = chars.slice(width);
      }
      line = chars;
    }
    lines.push(line.join(''));
  }
  while (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines.filter((l, i) => l !== '' || (i > 0 && lines[i - 1] !== ''));
}

/**
 * Splits lines into pages of `linesPerPage`; past `maxPages` the text is cut and the last line
 * ends with an ellipsis so the viewer can tell the prompt continues.
 */
export function paginate(lines: string[], linesPerPage: number, maxPages: number): string[][] {
  const per = Math.max(1, Math.floor(linesPerPage));
  const pages: string[][] = [];
  for (let i = 0; i < lines.length && pages.length < maxPages; i += per) {
    pages.push(lines.slice(i, i + per));
  }
  if (pages.length === 0) pages.push(['']);
  const shown = pages.reduce((n, p) => n + p.length, 0);
  if (shown < lines.length) {
    const last = pages[pages.length - 1] ?? [];
    const tail = last[last.length - 1] ?? '';
    last[last.length - 1] = `${Array.from(tail).slice(0, -1).join('')}…`;
  }
  return pages;
}

export function truncate(text: string, columns: number): string {
  const chars = Array.from(text);
  if (chars.length <= columns) return text;
  return `${chars.slice(0, Math.max(0, columns - 1)).join('')}…`;
}

export function formatDuration(seconds: number): string {
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}
