/**
 * The local link-token pepper (on AWS it lives in Secrets Manager): made on the embedded
 * stack's first start and kept in .nimitys/link-secret.json, so links mailed before a restart
 * still open after it. An in-memory stack (tests) gets a fresh one each start.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type LinkSecret, parseLinkSecret } from '../functions/domain/link-token.ts';

export function ensureLocalLinkSecret(file?: string): LinkSecret {
  if (file && existsSync(file)) return parseLinkSecret(readFileSync(file, 'utf8'));
  const secret: LinkSecret = { current: randomBytes(32).toString('hex') };
  if (file) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(secret)}\n`, { mode: 0o600 });
  }
  return secret;
}
