/**
 * Bundles one Lambda function: `node --import tsx infra/bundle-function.ts <entry.ts>
 * <output dir>` writes <output dir>/index.mjs and its source map, with the settings of
 * infra/bundling.ts. NodeFunction runs this as its asset's local bundling: in a process of
 * its own, because CDK asks for the bundle synchronously and esbuild's plugins run only in
 * its asynchronous API. The package benchmark (bench/packages.ts) calls bundleFunction.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { lambdaBuildOptions } from './bundling.ts';

/** The bundle's file name in its output directory (the handler is `index.handler`). */
export const BUNDLE_FILE = 'index.mjs';

export async function bundleFunction(entry: string, outdir: string): Promise<Metafile> {
  const { metafile } = await build({
    ...lambdaBuildOptions(path.resolve(entry), path.join(outdir, BUNDLE_FILE)),
    // The map goes into the package for resolving a stack trace afterwards (docs/runbook.md),
    // without the sources themselves.
    sourcemap: true,
    sourcesContent: false,
    metafile: true,
    logLevel: 'warning',
  });
  return metafile;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [entry, outdir] = process.argv.slice(2);
  if (!entry || !outdir) {
    process.stderr.write('usage: bundle-function.ts <entry.ts> <output dir>\n');
    process.exit(2);
  }
  await bundleFunction(entry, outdir);
}
