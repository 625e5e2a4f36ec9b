/**
 * Fails the build when the JavaScript a first visit must download grows past the budget.
 * "Initial" means what dist/index.html references: the entry module and its modulepreloads.
 * Lazy chunks (Stripe checkout) are reported but not counted.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const BUDGET_BYTES = 250 * 1024;
const dist = resolve(dirname(fileURLToPath(import.meta.url)), '../dist');
const html = readFileSync(join(dist, 'index.html'), 'utf8');

const initial = new Set<string>();
for (const match of html.matchAll(/<script[^>]+src="([^"]+\.js)"/g)) initial.add(match[1]!);
for (const match of html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+\.js)"/g)) {
  initial.add(match[1]!);
}
for (const match of html.matchAll(/<link[^>]+href="([^"]+\.js)"[^>]+rel="modulepreload"/g)) {
  initial.add(match[1]!);
}
if (initial.size === 0) {
  console.error('check-bundle-size: no script found in dist/index.html');
  process.exit(1);
}

const gz = (file: string) => gzipSync(readFileSync(file), { level: 9 }).length;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

let total = 0;
for (const src of initial) {
  const size = gz(join(dist, src.replace(/^\//, '')));
  total += size;
  console.log(`  initial  ${kb(size).padStart(9)}  ${src}`);
}
const assets = join(dist, 'assets');
for (const file of readdirSync(assets)) {
  if (file.endsWith('.js') && ![...initial].some((src) => src.endsWith(`/${file}`))) {
    console.log(`  lazy     ${kb(gz(join(assets, file))).padStart(9)}  /assets/${file}`);
  }
}
console.log(`Initial JS (gzip): ${kb(total)} of ${kb(BUDGET_BYTES)} budget`);
if (total > BUDGET_BYTES) {
  console.error('check-bundle-size: initial JavaScript is over budget');
  process.exit(1);
}
