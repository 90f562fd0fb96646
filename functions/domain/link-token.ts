/**
 * Link tokens: 256 random bits in the URL, only their SHA-256 in the table. A leaked
 * table gives no working links; the Step Functions task token is never part of a link.
 */
import { createHash, randomBytes } from 'node:crypto';

const TOKEN_BYTES = 32;
/** base64url of 32 bytes, without padding. */
export const LINK_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function newLinkToken(): { token: string; tokenHash: string } {
  const token = randomBytes(TOKEN_BYTES).toString('base64url');
  return { token, tokenHash: hashToken(token) };
}

export function linkUrl(publicBaseUrl: string, token: string): string {
  return `${publicBaseUrl}/l/${token}`;
}

/** For the audit trail: who acted, without keeping their address. */
export function hashClientAddress(address: string): string {
  return createHash('sha256').update(`nimitys-client:${address}`).digest('hex').slice(0, 32);
}
