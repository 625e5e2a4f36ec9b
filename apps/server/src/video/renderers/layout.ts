import {
  MONO_ADVANCE_EM,
  formatDuration,
  paginate,
  sanitizeText,
  truncate,
  wrapText,
} from './text.ts';
import type { RenderJob } from './types.ts';

export type FontWeight = 'regular' | 'bold';

export interface TextBlock {
  text: string;
  x: number;
  y: number;
  fontSize: number;
  color: string;
  weight: FontWeight;
  lineSpacing: number;
}

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
  color: string;
}

export interface Card {
  background: string;
  boxes: Box[];
  texts: TextBlock[];
}

const COLORS = {
  background: '0x0F172A',
  accent: '0x6366F1',
  header: '0xA5B4FC',
  body: '0xF8FAFC',
  muted: '0x94A3B8',
  on: '0x4ADE80',
  off: '0x64748B',
};

// Beyond this the prompt is cut: each page must stay on screen long enough to be read.
const MAX_PROMPT_PAGES = 8;

/** Geometry is designed for 1080p and scaled, so 720p looks the same, only smaller. */
function metrics(width: number, height: number) {
  const s = Math.min(width / 1920, height / 1080);
  const px = (v: number) => Math.max(1, Math.round(v * s));
  const marginX = px(120);
  const usableWidth = width - 2 * marginX;
  const columnsFor = (fontSize: number) =>
    Math.max(1, Math.floor(usableWidth / (fontSize * MONO_ADVANCE_EM)));
  return { px, marginX, columnsFor };
}

function chrome(job: RenderJob, header: string): Card {
  const { px, marginX, columnsFor } = metrics(job.width, job.height);
  const headerSize = px(34);
  const footerSize = px(26);
  const footer = `Preview render · ${job.width}x${job.height} · ${formatDuration(job.durationSeconds)} · ${sanitizeText(job.videoId)}`;
  return {
    background: COLORS.background,
    boxes: [{ x: marginX, y: px(100), w: px(140), h: px(8), color: COLORS.accent }],
    texts: [
      {
        text: header,
        x: marginX,
        y: px(140),
        fontSize: headerSize,
        color: COLORS.header,
        weight: 'bold',
        lineSpacing: 0,
      },
      {
        text: truncate(footer.replace(/\n/g, ' '), columnsFor(footerSize)),
        x: marginX,
        y: job.height - px(100),
        fontSize: footerSize,
        color: COLORS.muted,
        weight: 'regular',
        lineSpacing: 0,
      },
    ],
  };
}

export function promptCards(job: RenderJob): Card[] {
  const { px, marginX, columnsFor } = metrics(job.width, job.height);
  const fontSize = px(46);
  const lineSpacing = px(18);
  const top = px(220);
  const bottom = job.height - px(170);
  const linesPerPage = Math.max(1, Math.floor((bottom - top) / (fontSize + lineSpacing)));
  const lines = wrapText(sanitizeText(job.prompt), columnsFor(fontSize));
  const pages = paginate(lines, linesPerPage, MAX_PROMPT_PAGES);
  return pages.map((page, i) => {
    const header = pages.length > 1 ? `YOUR PROMPT (${i + 1}/${pages.length})` : 'YOUR PROMPT';
    const card = chrome(job, header);
    card.texts.push({
      text: page.join('\n'),
      x: marginX,
      y: top,
      fontSize,
      color: COLORS.body,
      weight: 'regular',
      lineSpacing,
    });
    return card;
  });
}

export function optionsCard(job: RenderJob): Card {
  const { px, marginX } = metrics(job.width, job.height);
  const card = chrome(job, 'RENDER OPTIONS');
  const fontSize = px(52);
  const rowHeight = px(96);
  const rows: Array<[string, string, string]> = [
    ['Resolution   ', `${job.width}x${job.height}`, COLORS.body],
    ['Duration     ', formatDuration(job.durationSeconds), COLORS.body],
    ...(
      [
        ['Custom music ', job.customMusic],
        ['Premium voice', job.premiumTTS],
        ['AI enhanced  ', job.aiEnhancement],
      ] as const
    ).map(([label, on]): [string, string, string] => [
      label,
      on ? 'ON' : 'off',
      on ? COLORS.on : COLORS.off,
    ]),
  ];
  rows.forEach(([label, value, color], i) => {
    const y = px(240) + i * rowHeight;
    const base = { y, fontSize, lineSpacing: 0 };
    card.texts.push(
      { ...base, text: label, x: marginX, color: COLORS.muted, weight: 'regular' },
      {
        ...base,
        text: value,
        x: marginX + Math.round(15 * fontSize * MONO_ADVANCE_EM),
        color,
        weight: 'bold',
      },
    );
  });
  return card;
}

export function buildCards(job: RenderJob): Card[] {
  return [...promptCards(job), optionsCard(job)];
}
