import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { RenderError } from './types.ts';

const require = createRequire(import.meta.url);

// Resolved lazily: the installer packages throw on unsupported platforms, and merely importing
// the renderers must not break a server that is configured with another renderer.
function installerPath(pkg: string, what: string): string {
  try {
    return (require(pkg) as { path: string }).path;
  } catch (error) {
    throw new RenderError('Video renderer is unavailable', {
      cause: new Error(`${what} binary not found (${pkg})`, { cause: error }),
    });
  }
}

export function defaultFfmpegPath(): string {
  return installerPath('@ffmpeg-installer/ffmpeg', 'ffmpeg');
}

export function defaultFfprobePath(): string {
  return installerPath('@ffprobe-installer/ffprobe', 'ffprobe');
}

// Noto covers the scripts people write prompts in; each family is named per text run (svg.ts).
const FONT_FILES = [
  '@expo-google-fonts/noto-sans/400Regular/NotoSans_400Regular.ttf',
  '@expo-google-fonts/noto-sans/700Bold/NotoSans_700Bold.ttf',
  '@expo-google-fonts/noto-sans-arabic/400Regular/NotoSansArabic_400Regular.ttf',
  '@expo-google-fonts/noto-sans-arabic/700Bold/NotoSansArabic_700Bold.ttf',
  '@expo-google-fonts/noto-sans-jp/400Regular/NotoSansJP_400Regular.ttf',
  '@expo-google-fonts/noto-sans-jp/700Bold/NotoSansJP_700Bold.ttf',
  '@expo-google-fonts/noto-emoji/400Regular/NotoEmoji_400Regular.ttf',
];
// This package exports no file paths; its fonts sit beside its entry point.
const HEBREW_PACKAGE = '@embedpdf/fonts-hebrew';
const HEBREW_FILES = ['NotoSansHebrew-Regular.ttf', 'NotoSansHebrew-Bold.ttf'];

/** Fonts ship in npm packages so cards look the same on every machine, fontconfig or not. */
export function defaultFonts(): string[] {
  try {
    const hebrewDir = join(dirname(require.resolve(HEBREW_PACKAGE)), '..', 'fonts');
    return [
      ...FONT_FILES.map((file) => require.resolve(file)),
      ...HEBREW_FILES.map((file) => join(hebrewDir, file)),
    ];
  } catch (error) {
    throw new RenderError('Video renderer is unavailable', { cause: error });
  }
}
