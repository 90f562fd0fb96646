import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { buildStacks } from '../../infra/stacks.ts';

describe('cdk synth with bundling', () => {
  const outdir = mkdtempSync(path.join(tmpdir(), 'nimitys-synth-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('bundles every function offline with the local esbuild (no Docker) into a small ESM file', () => {
    // act: a full synth, as `npx cdk synth` does
    const app = new App({ outdir });
    buildStacks(app);
    app.synth();

    // assess: one asset per function, each an index.mjs under 1 MB
    const assets = readdirSync(outdir).filter((name) => name.startsWith('asset.'));
    const bundles = assets
      .map((asset) => path.join(outdir, asset, 'index.mjs'))
      .filter((file) => {
        try {
          return statSync(file).isFile();
        } catch {
          return false;
        }
      });
    expect(bundles.length).toBeGreaterThanOrEqual(9);
    for (const bundle of bundles) expect(statSync(bundle).size).toBeLessThan(1024 * 1024);
  }, 120_000);
});
