import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * The layer rules of eslint.config.js, run by ESLint itself on probe sources placed (by path
 * only, nothing is written) where they would live: a rule that silently stopped matching
 * would otherwise let the layers erode without anyone noticing.
 */
const root = fileURLToPath(new URL('../../..', import.meta.url));
let eslint: ESLint;

async function layerErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result!.messages
    .filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-syntax')
    .map((m) => m.message);
}

beforeAll(() => {
  eslint = new ESLint({ cwd: root });
});

describe('services', () => {
  const file = 'apps/server/src/services/payments/probe.ts';

  it.each([
    ["import type { Request } from 'express';", 'HTTP'],
    ["import Database from 'better-sqlite3';", 'SQL'],
    ["import pg from 'pg';", 'SQL'],
    ["import Cursor from 'pg-cursor';", 'SQL'],
    ["import express from 'express';", 'HTTP'],
    ["import { SqliteStore } from '../../store/sqlite/sqlite-store.ts';", 'adapter'],
    ["import type { PgStore } from '../../store/pg/pg-store.ts';", 'adapter'],
    ["import { clientIp } from '../../http/client-ip.ts';", 'HTTP'],
    ["import type { AppDeps } from '../../app-deps.ts';", 'HTTP'],
  ])(
    'refuses %s',
    async (line, why) => {
      const errors = await layerErrors(file, `${line}\nexport {};\n`);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain(why);
    },
    30_000,
  );

  it('refuses process.env', async () => {
    const errors = await layerErrors(file, 'export const key = process.env.STRIPE_KEY;\n');
    expect(errors).toEqual([expect.stringContaining('ctx.config')]);
  }, 30_000);

  it('allows the Store interface, its siblings and the shared package', async () => {
    const code = [
      "import type { Store } from '../../store/types.ts';",
      "import { calculateCost } from '@app/shared';",
      "import { providerError } from './pg-like-name.ts';",
      'export type S = Store;',
      'export const c = [calculateCost, providerError];',
      '',
    ].join('\n');
    expect(await layerErrors(file, code)).toEqual([]);
  }, 30_000);
});

describe('routes', () => {
  const file = 'apps/server/src/routes/probe.ts';

  it.each([
    "import type { Store } from '../store/types.ts';",
    "import { openSqliteStore } from '../store/sqlite/open.ts';",
    "import Database from 'better-sqlite3';",
  ])(
    'refuses %s',
    async (line) => {
      const errors = await layerErrors(file, `${line}\nexport {};\n`);
      expect(errors).toHaveLength(1);
    },
    30_000,
  );

  it('allows services and the HTTP layer', async () => {
    const code = [
      "import { Router } from 'express';",
      "import { getBalance } from '../services/credits/get-balance.ts';",
      "import { actorOf } from '../http/auth.ts';",
      'export const used = [Router, getBalance, actorOf];',
      '',
    ].join('\n');
    expect(await layerErrors(file, code)).toEqual([]);
  }, 30_000);
});
