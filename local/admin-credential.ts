/**
 * The local admin credential: made on the embedded stack's first start, kept hashed
 * (scrypt) under .nimitys/admin.json with the secret that signs local sessions. The
 * password is shown once, when it is made; delete the file to get a new one.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type LocalCredential, newLocalCredential } from '../functions/admin/auth.ts';

export interface LocalAdmin {
  credential: LocalCredential;
  /** Only when the credential was made just now: the one time it can be shown. */
  password?: string;
  /** Where it is kept; undefined for an in-memory stack. */
  file?: string;
}

export function ensureLocalAdmin(file?: string): LocalAdmin {
  if (file && existsSync(file)) {
    return { credential: JSON.parse(readFileSync(file, 'utf8')) as LocalCredential, file };
  }
  const { credential, password } = newLocalCredential();
  if (file) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(credential, null, 2)}\n`, { mode: 0o600 });
  }
  return { credential, password, file };
}
