import { createRequire } from 'node:module';
import { RenderError } from './types.ts';
import type { FontWeight } from './layout.ts';

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

const FONT_FILES: Record<FontWeight, string> = {
  regular: '@expo-google-fonts/roboto-mono/400Regular/RobotoMono_400Regular.ttf',
  bold: '@expo-google-fonts/roboto-mono/700Bold/RobotoMono_700Bold.ttf',
};

/** Fonts ship in an npm package so cards look the same on every machine, fontconfig or not. */
export function defaultFonts(): Record<FontWeight, string> {
  try {
    return { regular: require.resolve(FONT_FILES.regular), bold: require.resolve(FONT_FILES.bold) };
  } catch (error) {
    throw new RenderError('Video renderer is unavailable', { cause: error });
  }
}
