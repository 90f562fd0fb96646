/**
 * An esbuild plugin that lets a bundle keep only the SDK schemas its commands use.
 *
 * Each AWS SDK client (3.9xx and later) describes every operation and shape of its service
 * in one module, `dist-es/schemas/schemas_0.js`, as array literals a bundler could drop
 * when unused, except that their traits are objects with computed keys
 * (`{ [_h]: ["POST", "/v2/email/outbound-emails", 200] }`, `_h` a string constant of the
 * same module). esbuild cannot prove a computed key free of side effects, so every schema
 * stays: 48 KB of SESv2 in a function that only calls SendEmail, all evaluated at each
 * cold start. This writes those keys as the string literals they are (`{ "http": … }`),
 * which changes nothing at run time and lets tree shaking do its work.
 */
import { readFile } from 'node:fs/promises';
import type { Plugin } from 'esbuild';

const SCHEMA_MODULE = /[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]dist-es[\\/]schemas[\\/]schemas_\d+\.js$/;
const STRING_CONSTANT = /^const (_[A-Za-z0-9_]+) = ("(?:[^"\\\n]|\\.)*");$/gm;
const COMPUTED_KEY = /\[(_[A-Za-z0-9_]+)\]:/g;

/** The module's source with each computed key that names a string constant written as that string. */
export function literalSchemaKeys(source: string): string {
  const constants = new Map<string, string>();
  for (const [, name, literal] of source.matchAll(STRING_CONSTANT)) {
    if (name && literal) constants.set(name, literal);
  }
  return source.replace(COMPUTED_KEY, (key, name: string) => {
    const literal = constants.get(name);
    return literal === undefined ? key : `${literal}:`;
  });
}

export const sdkSchemaKeys: Plugin = {
  name: 'sdk-schema-keys',
  setup(build) {
    build.onLoad({ filter: SCHEMA_MODULE }, async ({ path }) => ({
      contents: literalSchemaKeys(await readFile(path, 'utf8')),
      loader: 'js',
    }));
  },
};
