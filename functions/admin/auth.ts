/**
 * Who is asking, and may they use the console. Every admin request passes here first.
 *
 * Ways in, one answer (`Principal`):
 * - AWS, API clients (/admin/api/…): API Gateway's JWT authorizer (Cognito user pool) has
 *   verified the bearer token before the handler runs; its claims arrive in
 *   `requestContext.authorizer.jwt.claims`.
 * - AWS, browsers (every other /admin route, which has no API Gateway authorizer: a
 *   browser sends no Authorization header): the session cookie holds the Cognito ID token
 *   the sign-in got (cognito.ts); the handler verifies it on every request against the
 *   pool's JWKS (jwt.ts). A bearer token on such a route is verified the same way.
 * - Local: the embedded stack has no authorizer. The local sign-in checks the admin
 *   credential (scrypt hash under .nimitys/) and issues a session: an HMAC-signed token
 *   in an HttpOnly, SameSite=Strict cookie (or an `Authorization: Bearer` header).
 *
 * In every case the handler itself checks the admins group (`cognito:groups`).
 * No principal → 401, a principal without the admins group → 403. Neither gets data.
 */
import { createHash, createHmac, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { log } from '../shared/logger.ts';
import type { CognitoSettings } from './cognito.ts';
import { TokenRejectedError, type TokenUse, verifyCognitoToken } from './jwt.ts';

export const ADMINS_GROUP = 'admins';
export const SESSION_COOKIE = 'nimitys_admin';
/** A local session lasts a working day. */
export const SESSION_SECONDS = 10 * 3600;

export interface Principal {
  /** Cognito `sub` or the local user name: what the audit trail records. */
  id: string;
  /** Shown on the pages and written to the audit trail. */
  name: string;
  groups: string[];
}

export class UnauthenticatedError extends Error {
  override readonly name = 'UnauthenticatedError';
}

export class ForbiddenError extends Error {
  override readonly name = 'ForbiddenError';
}

/** The local admin credential, as stored under .nimitys/ (never the password itself). */
export interface LocalCredential {
  username: string;
  /** `scrypt$<salt b64>$<hash b64>` */
  passwordHash: string;
  /** Signs local sessions. */
  sessionSecret: string;
}

export type AdminAuthSettings =
  | { mode: 'cognito'; cognito: CognitoSettings }
  | { mode: 'local'; credential: LocalCredential };

/** How the request proved who it is: only a cookie is sent by a browser on its own (CSRF). */
export type Credential = 'authorizer' | 'bearer' | 'cookie';

export interface Authenticated {
  principal: Principal;
  via: Credential;
  /** The bearer or cookie token (not for the authorizer's claims): the CSRF token derives from it. */
  token?: string;
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

export function hashPassword(password: string, salt = randomBytes(16)): string {
  const hash = scryptSync(password, salt, 32);
  return `scrypt$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export function verifyPassword(password: string, stored: string): boolean {
  const [scheme, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = scryptSync(password, Buffer.from(salt, 'base64'), expected.length);
  return timingSafeEqual(actual, expected);
}

/** A new local credential with a random password; the password is returned once, only its hash is kept. */
export function newLocalCredential(username = 'admin'): { credential: LocalCredential; password: string } {
  const password = randomBytes(12).toString('base64url');
  return {
    password,
    credential: {
      username,
      passwordHash: hashPassword(password),
      sessionSecret: randomBytes(32).toString('base64'),
    },
  };
}

function sign(secret: string, payload: string): string {
  return b64url(createHmac('sha256', secret).update(payload).digest());
}

interface SessionClaims {
  sub: string;
  groups: string[];
  exp: number;
}

export function issueSession(secret: string, principal: Principal, now: Date): string {
  const claims: SessionClaims = {
    sub: principal.id,
    groups: principal.groups,
    exp: Math.floor(now.getTime() / 1000) + SESSION_SECONDS,
  };
  const payload = b64url(JSON.stringify(claims));
  return `${payload}.${sign(secret, payload)}`;
}

export function verifySession(secret: string, token: string, now: Date): Principal | undefined {
  const [payload, signature, extra] = token.split('.');
  if (!payload || !signature || extra !== undefined) return undefined;
  const expected = Buffer.from(sign(secret, payload));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as SessionClaims;
    if (typeof claims.sub !== 'string' || !Array.isArray(claims.groups) || typeof claims.exp !== 'number') {
      return undefined;
    }
    if (claims.exp * 1000 <= now.getTime()) return undefined;
    return { id: claims.sub, name: claims.sub, groups: claims.groups.map(String) };
  } catch {
    return undefined;
  }
}

/** Binds a form to the session that rendered it (the cookie is SameSite=Strict as well). */
export function csrfToken(secret: string, sessionToken: string): string {
  return sign(secret, `csrf:${sessionToken}`);
}

/**
 * The CSRF token of a session. Locally an HMAC with the session secret; on AWS, where the
 * function keeps no secret, a hash of the session's own token, which only the browser
 * holding the HttpOnly cookie knows.
 */
export function csrfFor(settings: AdminAuthSettings, sessionToken: string): string {
  if (settings.mode === 'local') return csrfToken(settings.credential.sessionSecret, sessionToken);
  return b64url(createHash('sha256').update(`nimitys-csrf:${sessionToken}`).digest());
}

/** A cookie value, %-decoded; a broken encoding stays as sent (and then matches no session). */
function decodeCookieValue(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

export function cookies(event: APIGatewayProxyEventV2): Record<string, string> {
  const out: Record<string, string> = {};
  const all = [...(event.cookies ?? []), ...(event.headers?.cookie ?? '').split(';')];
  for (const part of all) {
    const at = part.indexOf('=');
    if (at > 0) out[part.slice(0, at).trim()] = decodeCookieValue(part.slice(at + 1).trim());
  }
  return out;
}

function bearerOf(event: APIGatewayProxyEventV2): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(event.headers?.authorization ?? '')?.[1];
}

/** The session token a request carries: a bearer header for API clients, else the cookie. */
export function sessionTokenOf(event: APIGatewayProxyEventV2): string | undefined {
  return bearerOf(event) ?? cookies(event)[SESSION_COOKIE];
}

function claimGroups(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value !== 'string' || value === '') return [];
  // HTTP API passes an array claim as "[a b]" or "[a, b]".
  return value
    .replace(/^\[|\]$/g, '')
    .split(/[\s,]+/)
    .filter(Boolean);
}

function principalOfClaims(claims: Record<string, unknown>): Principal | undefined {
  if (typeof claims.sub !== 'string' || claims.sub === '') return undefined;
  const name = String(claims.email ?? claims['cognito:username'] ?? claims.username ?? claims.sub);
  return { id: claims.sub, name, groups: claimGroups(claims['cognito:groups']) };
}

/** The claimed token_use of an unverified token (verification then insists on it). */
function tokenUseOf(token: string): TokenUse {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
    return payload?.token_use === 'id' ? 'id' : 'access';
  } catch {
    return 'access';
  }
}

/** Verifies a Cognito token; undefined (and the reason logged) when it does not pass. */
export async function verifiedCognitoPrincipal(
  token: string,
  settings: CognitoSettings,
  now: Date,
  tokenUse: TokenUse,
  nonce?: string,
): Promise<Principal | undefined> {
  try {
    const claims = await verifyCognitoToken(token, settings.jwks, {
      issuer: settings.issuer,
      clientId: settings.clientId,
      tokenUse,
      now,
      nonce,
    });
    return principalOfClaims(claims);
  } catch (error) {
    if (!(error instanceof TokenRejectedError)) throw error; // the JWKS could not be fetched: a 500
    log.info('admin token refused', { reason: error.reason });
    return undefined;
  }
}

/** Who the request is from, or undefined when nobody signed in. Never throws for bad input. */
export async function authenticate(
  event: APIGatewayProxyEventV2,
  settings: AdminAuthSettings,
  now: Date,
): Promise<Authenticated | undefined> {
  if (settings.mode === 'cognito') {
    // Set by API Gateway's JWT authorizer only: a client cannot put it in the event.
    const claims = (event.requestContext as { authorizer?: { jwt?: { claims?: Record<string, unknown> } } })
      .authorizer?.jwt?.claims;
    if (claims) {
      const principal = principalOfClaims(claims);
      return principal && { principal, via: 'authorizer' };
    }
    const bearer = bearerOf(event);
    if (bearer) {
      const principal = await verifiedCognitoPrincipal(bearer, settings.cognito, now, tokenUseOf(bearer));
      return principal && { principal, via: 'bearer', token: bearer };
    }
    const cookie = cookies(event)[SESSION_COOKIE];
    if (!cookie) return undefined;
    const principal = await verifiedCognitoPrincipal(cookie, settings.cognito, now, 'id');
    return principal && { principal, via: 'cookie', token: cookie };
  }
  const bearer = bearerOf(event);
  const token = bearer ?? cookies(event)[SESSION_COOKIE];
  const principal = token ? verifySession(settings.credential.sessionSecret, token, now) : undefined;
  return principal && { principal, via: bearer ? 'bearer' : 'cookie', token };
}

/** The admin behind the request; UnauthenticatedError (401) or ForbiddenError (403) otherwise. */
export async function requireAdmin(
  event: APIGatewayProxyEventV2,
  settings: AdminAuthSettings,
  now: Date,
): Promise<Authenticated> {
  const authenticated = await authenticate(event, settings, now);
  if (!authenticated) throw new UnauthenticatedError('Not signed in');
  if (!authenticated.principal.groups.includes(ADMINS_GROUP)) throw new ForbiddenError('Not an admin');
  return authenticated;
}

/** Local sign-in: the admin credential gives an admin session; anything else nothing. */
export function signInLocal(
  credential: LocalCredential,
  username: string,
  password: string,
  now: Date,
): string | undefined {
  const userOk = username.trim().toLowerCase() === credential.username.toLowerCase();
  // Always hash, so a wrong user name takes as long as a wrong password.
  const passwordOk = verifyPassword(password, credential.passwordHash);
  if (!userOk || !passwordOk) return undefined;
  return issueSession(
    credential.sessionSecret,
    { id: credential.username, name: credential.username, groups: [ADMINS_GROUP] },
    now,
  );
}
