import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openApiDocument } from '../http/openapi.ts';

/**
 * Writes the OpenAPI document from the code (the same object `/api/openapi.json` serves) and
 * lints it with Redocly's recommended rules. Part of `pnpm test`: a warning fails too, so the
 * document client generators read stays clean rather than slowly collecting exceptions.
 *
 * usage: pnpm openapi:lint [file]   (default apps/server/dist/openapi.json)
 */
const here = path.dirname(fileURLToPath(import.meta.url));
const file = path.resolve(process.argv[2] ?? path.join(here, '../../dist/openapi.json'));
mkdirSync(path.dirname(file), { recursive: true });
writeFileSync(file, `${JSON.stringify(openApiDocument(), null, 2)}\n`);

const lint = spawnSync('redocly', ['lint', '--extends', 'recommended', '--format', 'json', file], {
  encoding: 'utf8',
  // The child is redocly itself, found on the PATH pnpm gives package scripts.
  shell: process.platform === 'win32',
  maxBuffer: 64 * 1024 * 1024,
});
if (lint.error || lint.stdout.trim() === '') {
  console.error(lint.error?.message ?? lint.stderr);
  process.exit(1);
}

interface Problem {
  ruleId: string;
  severity: string;
  message: string;
  location?: { pointer?: string }[];
}
const report = JSON.parse(lint.stdout) as {
  totals: { errors: number; warnings: number };
  problems: Problem[];
};
for (const p of report.problems) {
  console.error(`${p.severity} ${p.ruleId}: ${p.message} at ${p.location?.[0]?.pointer ?? '#'}`);
}
const { errors, warnings } = report.totals;
console.log(
  `OpenAPI (${path.relative(process.cwd(), file)}): ${errors} errors, ${warnings} warnings (redocly recommended)`,
);
process.exit(errors + warnings === 0 && lint.status === 0 ? 0 : 1);
