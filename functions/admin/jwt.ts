/**
 * Verification of Cognito's tokens (RS256 JWTs) with Node's own crypto: no library, so
 * the console's bundle stays as it is. What is checked, in this order:
 *   shape (three base64url parts, a JSON header and payload), header alg RS256 and a kid
 *   of the pool's JWKS (no "none", no HMAC with the public key as secret), the RSA
 *   signature over header.payload, iss = the user pool, token_use (id or access),
 *   aud (id token) or client_id (access token) = the console's app client, exp in the
 *   future and iat/auth_time not in the future (60 s of clock skew allowed), and, when
 *   the caller expects one, the nonce.
 *
 * The JWKS is fetched once per cold start and kept; a token signed with a key it does not
 * have makes it fetch again (Cognito rotates keys), at most once a minute.
 */
import { createPublicKey, type KeyObject, verify } from 'node:crypto';

const CLOCK_SKEW_SECONDS = 60;
const REFETCH_AFTER_MS = 60_000;
const FETCH_TIMEOUT_MS = 5_000;

export type TokenUse = 'id' | 'access';

/** Why a token was refused; never shown to the person, logged as the reason. */
export class TokenRejectedError extends Error {
  override readonly name = 'TokenRejectedError';
  constructor(readonly reason: string) {
    super(`Token rejected: ${reason}`);
  }
}

export interface JwtClaims {
  sub: string;
  iss: string;
  exp: number;
  token_use: TokenUse;
  aud?: string;
  client_id?: string;
  email?: string;
  nonce?: string;
  'cognito:groups'?: string[];
  'cognito:username'?: string;
  username?: string;
  [claim: string]: unknown;
}

interface Jwk {
  kid?: string;
  kty?: string;
  alg?: string;
  use?: string;
  n?: string;
  e?: string;
}

export type FetchJson = (url: string) => Promise<unknown>;

async function fetchJson(url: string): Promise<unknown> {
  const response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  return response.json();
}

/** The pool's signing keys by kid, fetched on first need and when an unknown kid turns up. */
export class JwksCache {
  private keys = new Map<string, KeyObject>();
  private fetchedAt = Number.NEGATIVE_INFINITY;
  private loading: Promise<void> | undefined;
  /** How many times the key set was fetched (tests check the caching). */
  fetches = 0;

  constructor(
    private readonly url: string,
    private readonly get: FetchJson = fetchJson,
    private readonly now: () => number = Date.now,
  ) {}

  private async load(): Promise<void> {
    this.fetches++;
    this.fetchedAt = this.now();
    let body: { keys?: Jwk[] };
    try {
      body = (await this.get(this.url)) as { keys?: Jwk[] };
    } catch (error) {
      this.fetchedAt = Number.NEGATIVE_INFINITY; // the next request tries again
      throw error;
    }
    const keys = new Map<string, KeyObject>();
    for (const jwk of body?.keys ?? []) {
      if (!jwk.kid || jwk.kty !== 'RSA' || !jwk.n || !jwk.e) continue;
      if ((jwk.alg && jwk.alg !== 'RS256') || (jwk.use && jwk.use !== 'sig')) continue;
      keys.set(jwk.kid, createPublicKey({ key: { kty: 'RSA', n: jwk.n, e: jwk.e }, format: 'jwk' }));
    }
    this.keys = keys;
  }

  async key(kid: string): Promise<KeyObject | undefined> {
    const known = this.keys.get(kid);
    if (known) return known;
    if (this.now() - this.fetchedAt >= REFETCH_AFTER_MS) {
      this.loading ??= this.load().finally(() => {
        this.loading = undefined;
      });
      await this.loading;
    } else if (this.loading) await this.loading;
    return this.keys.get(kid);
  }
}

function decodePart(part: string, what: string): Record<string, unknown> {
  if (!/^[A-Za-z0-9_-]+$/.test(part)) throw new TokenRejectedError(`${what} is not base64url`);
  try {
    const value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch {
    throw new TokenRejectedError(`${what} is not JSON`);
  }
}

export interface VerifyOptions {
  issuer: string;
  clientId: string;
  tokenUse: TokenUse;
  now: Date;
  /** The nonce the sign-in sent: an ID token from the callback must carry it. */
  nonce?: string;
}

/** The token's claims if every check passes; TokenRejectedError naming the failed check otherwise. */
export async function verifyCognitoToken(
  token: string,
  jwks: JwksCache,
  options: VerifyOptions,
): Promise<JwtClaims> {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[2]) throw new TokenRejectedError('not a signed JWT');
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  const header = decodePart(headerPart, 'header');
  if (header.alg !== 'RS256') throw new TokenRejectedError(`alg ${String(header.alg)}`);
  if (typeof header.kid !== 'string' || header.kid === '') throw new TokenRejectedError('no kid');
  const key = await jwks.key(header.kid);
  if (!key) throw new TokenRejectedError('unknown kid');
  if (!/^[A-Za-z0-9_-]+$/.test(signaturePart)) throw new TokenRejectedError('signature is not base64url');
  const signed = verify(
    'RSA-SHA256',
    Buffer.from(`${headerPart}.${payloadPart}`),
    key,
    Buffer.from(signaturePart, 'base64url'),
  );
  if (!signed) throw new TokenRejectedError('bad signature');

  const claims = decodePart(payloadPart, 'payload');
  const seconds = Math.floor(options.now.getTime() / 1000);
  if (claims.iss !== options.issuer) throw new TokenRejectedError('wrong issuer');
  if (claims.token_use !== options.tokenUse) throw new TokenRejectedError('wrong token_use');
  const audience = options.tokenUse === 'id' ? claims.aud : claims.client_id;
  if (audience !== options.clientId) throw new TokenRejectedError('wrong audience');
  if (typeof claims.exp !== 'number' || claims.exp + CLOCK_SKEW_SECONDS <= seconds) {
    throw new TokenRejectedError('expired');
  }
  for (const claim of ['iat', 'auth_time'] as const) {
    const value = claims[claim];
    if (value !== undefined && (typeof value !== 'number' || value - CLOCK_SKEW_SECONDS > seconds)) {
      throw new TokenRejectedError(`${claim} in the future`);
    }
  }
  if (typeof claims.sub !== 'string' || claims.sub === '') throw new TokenRejectedError('no sub');
  if (options.nonce !== undefined && claims.nonce !== options.nonce)
    throw new TokenRejectedError('wrong nonce');
  return claims as JwtClaims;
}
