/**
 * Lambda packages: each function bundled as CDK bundles it (infra/bundle-function.ts: esbuild,
 * ESM, minified, the SDK clients it needs inside, a source map beside), its size, its largest
 * contributors, and the time a fresh Node process takes to import it with the function's own
 * environment from the template: the cold-start share the package is responsible for.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BUNDLE_FILE, bundleFunction } from '../infra/bundle-function.ts';
import { PROJECT_ROOT } from '../infra/paths.ts';
import { synthesizeLocalApp } from '../local/template.ts';

const IMPORT_RUNS = 5;

export interface PackageResult {
  function: string;
  bytes: number;
  importMs: number;
  largest: Array<{ module: string; bytes: number }>;
}

/** Groups a bundled input path by npm package (or project folder). */
function owner(input: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  return match?.[1] ?? input.split('/').slice(0, 2).join('/');
}

/** Imports the bundle in a fresh process with the function's own settings from the template. */
function coldImportMs(file: string, environment: Record<string, string>): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(file)}); process.stdout.write(String(performance.now() - t));`;
  const env = { ...process.env, ...environment, AWS_REGION: 'eu-north-1', NIMITYS_LOG_LEVEL: 'silent' };
  const runs = Array.from({ length: IMPORT_RUNS }, () =>
    Number(execFileSync(process.execPath, ['--input-type=module', '-e', script], { env }).toString()),
  ).sort((a, b) => a - b);
  return runs[Math.floor(runs.length / 2)] as number;
}

export async function measurePackages(progress: (line: string) => void): Promise<PackageResult[]> {
  const functionsDir = path.join(PROJECT_ROOT, 'functions');
  // The functions the CDK app deploys, with the environment each gets there.
  const deployed = synthesizeLocalApp({ apiBaseUrl: 'https://bench.example.org' }).functions;
  const environments = new Map(deployed.map((fn) => [path.basename(fn.entry), fn.environment]));
  const entries = readdirSync(functionsDir).filter((f) => environments.has(f));
  const outdir = mkdtempSync(path.join(tmpdir(), 'nimitys-bundles-'));
  const results: PackageResult[] = [];
  try {
    for (const entry of entries) {
      progress(`packages: ${entry}`);
      const bundleDir = path.join(outdir, entry.replace(/\.ts$/, ''));
      const outfile = path.join(bundleDir, BUNDLE_FILE);
      const metafile = await bundleFunction(path.join(functionsDir, entry), bundleDir);
      const output = Object.values(metafile.outputs).find((o) => o.entryPoint !== undefined);
      const byOwner = new Map<string, number>();
      for (const [input, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
        byOwner.set(owner(input), (byOwner.get(owner(input)) ?? 0) + bytesInOutput);
      }
      results.push({
        function: entry.replace(/\.ts$/, ''),
        bytes: statSync(outfile).size,
        importMs: coldImportMs(outfile, environments.get(entry) ?? {}),
        largest: [...byOwner.entries()]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 5)
          .map(([module, bytes]) => ({ module, bytes })),
      });
    }
    return results;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
