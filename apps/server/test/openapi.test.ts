import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { DOCUMENTED_ROUTES, openApiDocument } from '../src/http/openapi.ts';
import { EXAMPLES } from '../src/http/openapi-examples.ts';

interface Operation {
  operationId?: string;
  tags?: string[];
  requestBody?: { content: Record<string, { example?: unknown }> };
  responses: Record<string, { $ref?: string; content?: Record<string, { example?: unknown }> }>;
}
interface Doc {
  servers?: { url: string }[];
  tags: { name: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { responses: Record<string, unknown> };
}
const doc = openApiDocument() as Doc;
const operations = Object.values(doc.paths).flatMap((methods) => Object.values(methods));

describe('the OpenAPI document, for client generators', () => {
  it('names and tags every operation once, with tags that are declared', () => {
    const ids = operations.map((op) => op.operationId);
    expect(ids.every((id) => typeof id === 'string' && /^[a-z][A-Za-z]+$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    const declared = new Set(doc.tags.map((t) => t.name));
    for (const op of operations) {
      expect(op.tags, op.operationId).toHaveLength(1);
      expect(declared.has(op.tags![0]!), op.operationId).toBe(true);
    }
  });

  it('has a server', () => {
    expect(doc.servers?.length).toBeGreaterThan(0);
  });

  it('lists error responses on every operation, each one defined', () => {
    for (const op of operations) {
      const errors = Object.entries(op.responses).filter(([status]) => Number(status) >= 400);
      expect(
        errors.map(([s]) => s),
        op.operationId,
      ).toEqual(expect.arrayContaining(['429']));
      for (const [, res] of errors) {
        const name = res.$ref?.replace('#/components/responses/', '');
        expect(doc.components.responses, op.operationId).toHaveProperty(name!);
      }
    }
  });

  it('gives every JSON request and response an example that its zod schema accepts', () => {
    for (const route of DOCUMENTED_ROUTES) {
      const example = EXAMPLES[route.operationId];
      const [, okSchema] = route.ok;
      if (route.body) {
        const parsed = route.body.safeParse(example?.request);
        expect(parsed.error?.issues, `${route.operationId} request`).toBeUndefined();
      }
      if (okSchema) {
        const parsed = okSchema.safeParse(example?.response);
        expect(parsed.error?.issues, `${route.operationId} response`).toBeUndefined();
      }
    }
    const known = new Set(DOCUMENTED_ROUTES.map((r) => r.operationId));
    expect(Object.keys(EXAMPLES).filter((id) => !known.has(id))).toEqual([]);
  });
});

describe('openapi-typescript', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'openapi-ts-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('generates types a client compiles against (and that refuse a wrong body)', async () => {
    const ast = await openapiTS(structuredClone(doc) as unknown as Parameters<typeof openapiTS>[0]);
    writeFileSync(path.join(dir, 'api.ts'), astToString(ast));
    writeFileSync(
      path.join(dir, 'use.ts'),
      `import type { operations, paths } from './api';
type Body<K extends keyof operations> = operations[K] extends {
  requestBody?: { content: { 'application/json': infer B } };
} ? B : never;
type Ok = operations['generateVideo']['responses'][202]['content']['application/json'];
export const body: Body<'generateVideo'> = { prompt: 'A boat', durationMinutes: 1, resolution: '720p' };
// @ts-expect-error a resolution the API does not offer
export const wrong: Body<'generateVideo'> = { prompt: 'A boat', durationMinutes: 1, resolution: '4k' };
export const balance = (ok: Ok): number => ok.newBalance;
export type Error402 = paths['/api/video/generate']['post']['responses'][402]['content']['application/json'];
export const code = (e: Error402): string => e.error.code;
`,
    );
    const program = ts.createProgram([path.join(dir, 'use.ts')], {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      skipLibCheck: true,
      types: [],
    });
    const diagnostics = ts
      .getPreEmitDiagnostics(program)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(diagnostics).toEqual([]);
  }, 60_000);
});
