/**
 * Text preparation for title cards. Cards are drawn by a shaping renderer (resvg) with Noto
 * fonts for Latin, Greek, Cyrillic, Arabic, Hebrew, Japanese/Chinese and emoji, so wrapping
 * counts columns (a wide character is two) rather than measuring glyphs.
 */

/**
 * Width of one column as a fraction of the font size. Noto Sans averages well under this, and a
 * wide (CJK, emoji) character, two columns, is at most 1 em: a line never overflows.
 */
export const MONO_ADVANCE_EM = 0.601;

// Scripts the bundled fonts cover. Anything else (Thai, Devanagari, Hangul…) would be an empty
// box, which looks like a bug, so it still becomes '?'.
const SUPPORTED_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x20, 0x7e],
  [0xa0, 0x24f],
  [0x300, 0x36f], // combining diacritics
  [0x370, 0x3ff],
  [0x400, 0x4ff],
  [0x590, 0x5ff], // Hebrew
  [0x600, 0x6ff], // Arabic
  [0x750, 0x77f],
  [0x2010, 0x2027],
  [0x2030, 0x203a],
  [0x20ac, 0x20ac],
  [0x2122, 0x2122],
  [0x3000, 0x30ff], // CJK punctuation, Hiragana, Katakana
  [0x31f0, 0x31ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xfb1d, 0xfb4f], // Hebrew presentation forms
  [0xfb50, 0xfdff], // Arabic presentation forms
  [0xfe70, 0xfeff],
  [0xff00, 0xffef], // full-width forms
];

const WIDE_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x3000, 0x30ff],
  [0x31f0, 0x31ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xff00, 0xff60],
];

const REPLACEMENT = '?';
const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });
const PICTOGRAPHIC = /\p{Extended_Pictographic}/u;
// Bidi controls would let a prompt reorder the card's other text; the renderer applies the
// Unicode bidi algorithm to what is left. Joiners, variation selectors and skin-tone modifiers
// are dropped from emoji: the monochrome emoji font draws each pictograph on its own.
const INVISIBLE =
  /[\u200e\u200f\u202a-\u202e\u2066-\u2069]|\u200d|\ufe0e|\ufe0f|\p{Emoji_Modifier}/gu;

const inRanges = (ranges: typeof SUPPORTED_RANGES, cp: number) =>
  ranges.some(([lo, hi]) => cp >= lo && cp <= hi);

export const isEmoji = (grapheme: string): boolean => PICTOGRAPHIC.test(grapheme);

/** Columns a grapheme takes: two for CJK and emoji, one for everything else. */
export function columnsOf(grapheme: string): number {
  const cp = grapheme.codePointAt(0) ?? 0;
  return isEmoji(grapheme) && cp > 0xff ? 2 : inRanges(WIDE_RANGES, cp) ? 2 : 1;
}

export function graphemes(text: string): string[] {
  return Array.from(segmenter.segment(text), (s) => s.segment);
}

/**
 * Normalises user text to what the fonts can draw: one '?' per unsupported grapheme, tabs as
 * spaces, control and bidi-control characters dropped.
 */
export function sanitizeText(input: string): string {
  const text = input.normalize('NFC').replace(/\r\n?/g, '\n').replace(/\t/g, ' ');
  let out = '';
  for (const segment of graphemes(text)) {
    if (segment === '\n') {
      out += '\n';
      continue;
    }
    const codePoints = Array.from(segment, (ch) => ch.codePointAt(0) ?? 0);
    if (codePoints.every((cp) => cp < 0x20 || (cp >= 0x7f && cp < 0xa0))) continue;
    if (isEmoji(segment)) {
      out += Array.from(segment.replace(INVISIBLE, ''))
        .filter((ch) => isEmoji(ch) || ch === '\u20e3')
        .join('');
      continue;
    }
    const visible = segment.replace(INVISIBLE, '');
    if (visible === '') continue;
    out += Array.from(visible, (ch) => ch.codePointAt(0) ?? 0).every((cp) =>
      inRanges(SUPPORTED_RANGES, cp),
    )
      ? visible
      : REPLACEMENT;
  }
  return out;
}

/** Greedy word wrap to `columns` columns; words longer than a line are hard-broken. */
export function wrapText(text: string, columns: number): string[] {
  const width = Math.max(2, Math.floor(columns));
  const lines: string[] = [];
  const widthOf = (chars: string[]) => chars.reduce((n, c) => n + columnsOf(c), 0);
  for (const paragraph of text.split('\n')) {
    let line: string[] = [];
    for (const word of paragraph.split(' ').filter((w) => w.length > 0)) {
      let chars = graphemes(word);
      if (line.length > 0 && widthOf(line) + 1 + widthOf(chars) <= width) {
        line.push(' ', ...chars);
        continue;
      }
      if (line.length > 0) lines.push(line.join(''));
      while (widthOf(chars) > width) {
        let taken = 0;
        let used = 0;
        while (taken < chars.length && used + columnsOf(chars[taken]!) <= width) {
          used += columnsOf(chars[taken]!);
          taken += 1;
        }
        lines.push(chars.slice(0, taken).join(''));
        chars = chars.slice(taken);
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
