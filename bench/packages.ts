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

/**
 * Rounds of cold imports. This machine has moments about a third slower (a shared host):
 * in 15 rounds a third of one function's samples can fall into them and its median still
 * does not; in 7 it could.
 */
const IMPORT_RUNS = 15;

export interface PackageResult {
  function: string;
  /** Not a function: a bundle measured beside them for scale (bench/lib/import-references). */
  reference?: boolean;
  bytes: number;
  /** Median of the rounds. */
  importMs: number;
  /** The fastest and the slowest round: how much the machine varied. */
  importRangeMs: [number, number];
  largest: Array<{ module: string; bytes: number }>;
}

/** Groups a bundled input path by npm package (or project folder). */
function owner(input: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  return match?.[1] ?? input.split('/').slice(0, 2).join('/');
}

/** Imports the bundle in a fresh process with the function's own settings from the template: ms. */
function coldImportMs(file: string, environment: Record<string, string>): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(file)}); process.stdout.write(String(performance.now() - t));`;
  const env = { ...process.env, ...environment, AWS_REGION: 'eu-north-1', NIMITYS_LOG_LEVEL: 'silent' };
  return Number(execFileSync(process.execPath, ['--input-type=module', '-e', script], { env }).toString());
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

export async function measurePackages(progress: (line: string) => void): Promise<PackageResult[]> {
  const functionsDir = path.join(PROJECT_ROOT, 'functions');
  // The functions the CDK app deploys, with the environment each gets there.
  const deployed = synthesizeLocalApp({ apiBaseUrl: 'https://bench.example.org' }).functions;
  const environments = new Map(deployed.map((fn) => [path.basename(fn.entry), fn.environment]));
  const referencesDir = path.join(PROJECT_ROOT, 'bench', 'lib', 'import-references');
  const entries = [
    ...readdirSync(functionsDir)
      .filter((f) => environments.has(f))
      .map((f) => ({ name: f, source: path.join(functionsDir, f), reference: false })),
    ...readdirSync(referencesDir).map((f) => ({
      name: f,
      source: path.join(referencesDir, f),
      reference: true,
    })),
  ];
  const outdir = mkdtempSync(path.join(tmpdir(), 'nimitys-bundles-'));
  const results: PackageResult[] = [];
  const bundles: Array<{ file: string; environment: Record<string, string> }> = [];
  try {
    for (const entry of entries) {
      progress(`packages: ${entry.name}`);
      const bundleDir = path.join(outdir, entry.name.replace(/\.ts$/, ''));
      const outfile = path.join(bundleDir, BUNDLE_FILE);
      const metafile = await bundleFunction(entry.source, bundleDir);
      const output = Object.values(metafile.outputs).find((o) => o.entryPoint !== undefined);
      const byOwner = new Map<string, number>();
      for (const [input, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
        byOwner.set(owner(input), (byOwner.get(owner(input)) ?? 0) + bytesInOutput);
      }
      bundles.push({ file: outfile, environment: environments.get(entry.name) ?? {} });
      results.push({
        function: entry.name.replace(/\.ts$/, ''),
        ...(entry.reference && { reference: true }),
        bytes: statSync(outfile).size,
        importMs: 0,
        importRangeMs: [0, 0],
        largest: [...byOwner.entries()]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 5)
          .map(([module, bytes]) => ({ module, bytes })),
      });
    }
    // Imports only once every bundle is built, in rounds over all functions: no function is
    // measured right after a build, and the machine's slow moments fall on all of them alike.
    // The first import of all only warms the disk cache and the CPU.
    const first = bundles[0];
    if (first) coldImportMs(first.file, first.environment);
    const times = bundles.map((): number[] => []);
    for (let round = 1; round <= IMPORT_RUNS; round++) {
      progress(`packages: cold imports, round ${round} of ${IMPORT_RUNS}`);
      for (const [i, bundle] of bundles.entries()) {
        times[i]?.push(coldImportMs(bundle.file, bundle.environment));
      }
    }
    results.forEach((result, i) => {
      const samples = times[i] ?? [];
      result.importMs = median(samples);
      result.importRangeMs = [Math.min(...samples), Math.max(...samples)];
    });
    return results;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
