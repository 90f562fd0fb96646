/**
 * How every Lambda function is bundled, in one place: NodeFunction (CDK, through
 * infra/bundle-function.ts) and the package benchmark (bench/packages.ts) build with these
 * same settings.
 *
 * esbuild, ESM, minified, every dependency inside (the AWS SDK clients too), tree-shaken
 * through the packages' ES module builds (`mainFields`). Aliases, see the files they point to:
 *   @aws-sdk/credential-provider-node → infra/lambda-bundle/credentials.ts (environment only)
 *   http, node:http                   → infra/lambda-bundle/node-http.cjs  (no undici at import)
 *   yaml → its ES module build (the package's "default" export condition; the "node"
 *          condition esbuild would pick is CommonJS, which tree shaking cannot trim: 17 KB
 *          more). The two builds differ only in how a warning is printed.
 * A plugin lets tree shaking drop the SDK schemas of operations a function never calls
 * (infra/lambda-bundle/sdk-schema-keys.ts). A plugin needs esbuild's JavaScript API, which
 * is why CDK does not bundle these functions through NodejsFunction and its esbuild CLI.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import type { BuildOptions } from 'esbuild';
import { sdkSchemaKeys } from './lambda-bundle/sdk-schema-keys.ts';
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
  yaml: path.join(
    path.dirname(createRequire(import.meta.url).resolve('yaml/package.json')),
    'browser',
    'index.js',
  ),
};

/** The build of one function: `entry` (a file under functions/) into `outfile`. */
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
    plugins: [sdkSchemaKeys],
    logLevel: 'silent',
  };
}
