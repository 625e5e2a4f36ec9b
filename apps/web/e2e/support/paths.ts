import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Everything is resolved from this file's location, never from absolute paths. */
export const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const repoRoot = path.resolve(webDir, '../..');
export const serverDir = path.join(repoRoot, 'apps/server');
export const serverMain = path.join(serverDir, 'src/main.ts');
export const webDist = path.join(webDir, 'dist');
export const screenshotDir = path.join(repoRoot, 'test-results/screenshots');
