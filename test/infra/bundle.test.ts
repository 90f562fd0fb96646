import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import type { RoundFileError } from '../../functions/domain/errors.ts';
import { lambdaBuildOptions } from '../../infra/bundling.ts';
import { literalSchemaKeys } from '../../infra/lambda-bundle/sdk-schema-keys.ts';
import { buildStacks } from '../../infra/stacks.ts';

describe('cdk synth with bundling', () => {
  const outdir = mkdtempSync(path.join(tmpdir(), 'nimitys-synth-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('bundles every function offline with the local esbuild (no Docker) into its own ESM file under 500 KB', () => {
    // act: a full synth, as `npx cdk synth` does
    const app = new App({ outdir });
    buildStacks(app);
    app.synth();

    // assess: one asset per function (CDK caches bundles by their options: each must differ),
    // each an index.mjs under 500 KB with a source map that names the sources without carrying them
    const template = JSON.parse(readFileSync(path.join(outdir, 'NimitysApp.template.json'), 'utf8')) as {
      Resources: Record<
        string,
        { Type: string; Properties: { Code?: { S3Key?: string }; Handler?: string } }
      >;
    };
    const functions = Object.values(template.Resources).filter(
      (r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Handler === 'index.handler',
    );
    const keys = new Set(functions.map((f) => f.Properties.Code?.S3Key));
    expect(functions.length).toBeGreaterThanOrEqual(13);
    expect(keys.size).toBe(functions.length);

    const bundles = readdirSync(outdir)
      .filter((name) => name.startsWith('asset.'))
      .map((asset) => path.join(outdir, asset, 'index.mjs'))
      .filter((file) => statSync(file, { throwIfNoEntry: false })?.isFile());
    expect(bundles.length).toBe(functions.length);
    for (const bundle of bundles) {
      // Issue 8's target for every package: under 500 KB with the SDK clients inside.
      expect(statSync(bundle).size).toBeLessThan(500 * 1024);
      const map = JSON.parse(readFileSync(`${bundle}.map`, 'utf8')) as {
        sources: string[];
        sourcesContent?: unknown;
      };
      expect(map.sources.some((s) => s.includes('functions/'))).toBe(true);
      expect(map.sourcesContent).toBeUndefined();
      // Only the SDK operations a function calls: no schema of an operation no function uses.
      const code = readFileSync(bundle, 'utf8');
      expect(code).not.toContain('CreateEmailIdentity');
      expect(code).not.toContain('DeleteTable');
    }
  }, 180_000);
});

describe('the SDK schema plugin', () => {
  it('writes computed keys that name string constants as those strings, and leaves the rest alone', () => {
    const source = [
      'const _h = "http";',
      'const _e = "error";',
      'const _q = "say \\"hi\\"";',
      'export var SendEmail$ = [9, n0, _SE, { [_h]: ["POST", "/v2/email/outbound-emails", 200] }, () => A$, () => B$];',
      'export var Rejected$ = [-3, n0, _MR, { [_e]: _c, [_q]: 1 }, [], []];',
      'const dynamic = { [_other]: 1, [`x`]: 2 };',
    ].join('\n');
    expect(literalSchemaKeys(source).split('\n').slice(3)).toEqual([
      'export var SendEmail$ = [9, n0, _SE, { "http": ["POST", "/v2/email/outbound-emails", 200] }, () => A$, () => B$];',
      'export var Rejected$ = [-3, n0, _MR, { "error": _c, "say \\"hi\\"": 1 }, [], []];',
      'const dynamic = { [_other]: 1, [`x`]: 2 };',
    ]);
  });
});

describe('the round-file parser as bundled', () => {
  const outdir = mkdtempSync(path.join(tmpdir(), 'nimitys-round-file-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it("reads valid and broken round files exactly as the source does (the bundle takes yaml's ES module build)", async () => {
    type Parser = typeof import('../../functions/domain/round-file.ts');
    const outfile = path.join(outdir, 'round-file.mjs');
    await build(lambdaBuildOptions(path.resolve('functions/domain/round-file.ts'), outfile));
    const bundled = (await import(outfile)) as Parser;
    const source = (await import('../../functions/domain/round-file.ts')) as Parser;
    expect(readFileSync(outfile, 'utf8')).not.toContain('emitWarning');

    const example = readFileSync('examples/pohjois-karjala-2024.yaml', 'utf8');
    const outcome = (parser: Parser, text: string, format?: 'yaml' | 'json') => {
      try {
        return { round: parser.parseRoundFile(text, format) };
      } catch (error) {
        return { error: (error as Error).name, fieldErrors: (error as RoundFileError).fieldErrors };
      }
    };
    const files: Array<[string, 'yaml' | 'json' | undefined]> = [
      [example, undefined],
      [example.replace('seats:', 'seats:\n\t'), undefined],
      [example.replace(/^title: .*$/m, (line) => `${line}\n${line}`), undefined],
      [example.replace(/^id: .*$/m, 'id: "Ei kelpaa"'), undefined],
      ['a: [1, 2\nb: "auki', undefined],
      ['{"id": "x", "id": "y"}', 'json'],
      ['', undefined],
    ];
    for (const [text, format] of files) {
      expect(outcome(bundled, text, format)).toEqual(outcome(source, text, format));
    }
    expect(outcome(bundled, example).round?.municipalities.length).toBeGreaterThan(10);
    // The broken ones were refused with a line and a column, not by some other failure.
    expect(outcome(bundled, files[1]?.[0] ?? '').fieldErrors?.[0]?.message).toMatch(
      /^Rivi \d+, sarake \d+: /,
    );
    expect(outcome(bundled, files[2]?.[0] ?? '').fieldErrors?.[0]?.message).toMatch(
      /"title" esiintyy kahdesti/,
    );
  }, 60_000);
});
