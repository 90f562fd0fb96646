/**
 * Link tokens: 256 random bits in the URL, only their HMAC-SHA256 under a secret pepper in
 * the table. A leaked table gives no working links and, without the pepper, no way to test
 * a guessed token offline; the Step Functions task token is never part of a link.
 *
 * The pepper can be rotated: new links are hashed with `current`, and a link minted before
 * the rotation is still found through `previous` until it has expired (docs/runbook.md).
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';

const TOKEN_BYTES = 32;
/** base64url of 32 bytes, without padding. */
export const LINK_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** The pepper(s): the secret's JSON has these fields. */
export interface LinkSecret {
  current: string;
  previous?: string;
}

export const LINK_SECRET_FIELDS = { current: 'current', previous: 'previous' } as const;

export class LinkSecretError extends Error {
  override readonly name = 'LinkSecretError';
}

/** Reads the secret's JSON (`{"current": "…", "previous": "…"}`); never echoes the value in an error. */
export function parseLinkSecret(text: string): LinkSecret {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new LinkSecretError('Link secret is not JSON');
  }
  const { current, previous } = (value ?? {}) as Record<string, unknown>;
  if (typeof current !== 'string' || current.length < 32) {
    throw new LinkSecretError('Link secret has no "current" of at least 32 characters');
  }
  if (previous !== undefined && (typeof previous !== 'string' || previous.length < 32)) {
    throw new LinkSecretError('Link secret\'s "previous" must be at least 32 characters');
  }
  return previous ? { current, previous } : { current };
}

export function hashToken(token: string, pepper: string): string {
  return createHmac('sha256', pepper).update(token).digest('hex');
}

/** The hashes a token may be stored under: the current pepper's first, then the previous one's. */
export function tokenHashCandidates(token: string, secret: LinkSecret): string[] {
  const hashes = [hashToken(token, secret.current)];
  if (secret.previous) hashes.push(hashToken(token, secret.previous));
  return hashes;
}

export function newLinkToken(secret: LinkSecret): { token: string; tokenHash: string } {
  const token = randomBytes(TOKEN_BYTES).toString('base64url');
  return { token, tokenHash: hashToken(token, secret.current) };
}

export function linkUrl(publicBaseUrl: string, token: string): string {
  return `${publicBaseUrl}/l/${token}`;
}

/** For the audit trail: who acted, without keeping their address. */
export function hashClientAddress(address: string): string {
  return createHash('sha256').update(`nimitys-client:${address}`).digest('hex').slice(0, 32);
}
