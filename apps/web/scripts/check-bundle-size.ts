/**
 * Fails the build when the JavaScript a first visit must download grows past the budget, or
 * when the public landing page stops being lighter than the app a signed-in visitor opens.
 *
 * "Initial" for a route means the JS that must arrive before it renders: the entry module and
 * its static imports (what dist/index.html references), plus, for a lazy route, its chunk and
 * that chunk's static imports. Vite's manifest (dist/.vite/manifest.json) gives the graph.
 * Other lazy chunks (Stripe checkout, the support console) are reported but not counted.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const BUDGET_BYTES = 250 * 1024;
/** The page a signed-in visitor lands on: the app's first screen. */
const APP_ROUTE_MODULE = 'src/pages/StudioPage.tsx';

interface ManifestChunk {
  file: string;
  imports?: string[];
  isEntry?: boolean;
}

const dist = resolve(dirname(fileURLToPath(import.meta.url)), '../dist');
const manifest = JSON.parse(readFileSync(join(dist, '.vite/manifest.json'), 'utf8')) as Record<
  string,
  ManifestChunk
>;

/** A chunk's file and every chunk it imports statically (what loads together with it). */
function closure(key: string, into = new Set<string>()): Set<string> {
  const chunk = manifest[key];
  if (!chunk) throw new Error(`check-bundle-size: ${key} is not in the Vite manifest`);
  if (into.has(chunk.file)) return into;
  into.add(chunk.file);
  for (const dep of chunk.imports ?? []) closure(dep, into);
  return into;
}

const entryKey = Object.keys(manifest).find((key) => manifest[key]!.isEntry);
if (!entryKey) {
  console.error('check-bundle-size: no entry chunk in the Vite manifest');
  process.exit(1);
}

const gz = (file: string) => gzipSync(readFileSync(join(dist, file)), { level: 9 }).length;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const sum = (files: Iterable<string>) => [...files].reduce((total, f) => total + gz(f), 0);

// The landing page (/) is in the entry: its initial JS is the entry's closure.
const landing = closure(entryKey);
const app = closure(APP_ROUTE_MODULE, new Set(landing));

for (const file of landing) console.log(`  landing  ${kb(gz(file)).padStart(9)}  /${file}`);
for (const file of app) {
  if (!landing.has(file)) console.log(`  app      ${kb(gz(file)).padStart(9)}  /${file}`);
}
for (const file of readdirSync(join(dist, 'assets'))) {
  const path = `assets/${file}`;
  if (file.endsWith('.js') && !app.has(path)) {
    console.log(`  lazy     ${kb(gz(path)).padStart(9)}  /${path}`);
  }
}

const landingBytes = sum(landing);
const appBytes = sum(app);
console.log(`Landing page initial JS (gzip): ${kb(landingBytes)}`);
console.log(`App (/studio) initial JS (gzip): ${kb(appBytes)} of ${kb(BUDGET_BYTES)} budget`);
if (appBytes > BUDGET_BYTES) {
  console.error('check-bundle-size: initial JavaScript is over budget');
  process.exit(1);
}
if (landingBytes >= appBytes) {
  console.error('check-bundle-size: the landing page must load less JavaScript than the app');
  process.exit(1);
}
