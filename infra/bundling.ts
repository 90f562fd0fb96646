/**
 * How every Lambda function is bundled, in one place: NodeFunction (CDK) and the package
 * benchmark (bench/packages.ts) build with these same settings.
 *
 * esbuild, ESM, minified, every dependency inside (the AWS SDK clients too), tree-shaken
 * through the packages' ES module builds (`mainFields`). Two aliases trim what a Lambda
 * function never runs; see the files they point to:
 *   @aws-sdk/credential-provider-node → infra/lambda-bundle/credentials.ts (environment only)
 *   http, node:http                   → infra/lambda-bundle/node-http.cjs  (no undici at import)
 */
import path from 'node:path';
import type { BuildOptions } from 'esbuild';
import { PROJECT_ROOT } from './paths.ts';

/** ESM bundles still meet CommonJS dependencies that call require(). */
export const LAMBDA_BANNER =
  "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

export const LAMBDA_TARGET = 'node22';
export const LAMBDA_MAIN_FIELDS = ['module', 'main'];

const shim = (file: string) => path.join(PROJECT_ROOT, 'infra', 'lambda-bundle', file);

/** Module → replacement, as esbuild's `alias`. */
export const LAMBDA_ALIASES: Readonly<Record<string, string>> = {
  '@aws-sdk/credential-provider-node': shim('credentials.ts'),
  http: shim('node-http.cjs'),
  'node:http': shim('node-http.cjs'),
};

/** The aliases as esbuild command-line arguments (NodejsFunction's `esbuildArgs`). */
export function lambdaEsbuildArgs(): Record<string, string> {
  return Object.fromEntries(Object.entries(LAMBDA_ALIASES).map(([from, to]) => [`--alias:${from}`, to]));
}

/** The same build through esbuild's API (the benchmark). */
export function lambdaBuildOptions(entry: string, outfile: string): BuildOptions {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: LAMBDA_TARGET,
    minify: true,
    mainFields: LAMBDA_MAIN_FIELDS,
    banner: { js: LAMBDA_BANNER },
    alias: { ...LAMBDA_ALIASES },
    logLevel: 'silent',
  };
}
