/**
 * Who is asking, and may they use the console. Every admin request passes here first.
 *
 * Two ways in, one answer (`Principal`):
 * - AWS: API Gateway's JWT authorizer (Cognito user pool) has verified the token before
 *   the handler runs; its claims arrive in `requestContext.authorizer.jwt.claims`. The
 *   handler still checks the admins group claim (`cognito:groups`).
 * - Local: the embedded stack has no authorizer. The local sign-in checks the admin
 *   credential (scrypt hash under .nimitys/) and issues a session: an HMAC-signed token
 *   in an HttpOnly, SameSite=Strict cookie (or an `Authorization: Bearer` header).
 *
 * No principal → 401, a principal without the admins group → 403. Neither gets data.
 */
import { createHmac, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

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

export type AdminAuthSettings = { mode: 'cognito' } | { mode: 'local'; credential: LocalCredential };

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

export function cookies(event: APIGatewayProxyEventV2): Record<string, string> {
  const out: Record<string, string> = {};
  const all = [...(event.cookies ?? []), ...(event.headers?.cookie ?? '').split(';')];
  for (const part of all) {
    const at = part.indexOf('=');
    if (at > 0) out[part.slice(0, at).trim()] = decodeURIComponent(part.slice(at + 1).trim());
  }
  return out;
}

/** The session token a local request carries: the cookie, or a bearer header for API clients. */
export function sessionTokenOf(event: APIGatewayProxyEventV2): string | undefined {
  const bearer = /^Bearer\s+(\S+)$/i.exec(event.headers?.authorization ?? '')?.[1];
  return bearer ?? cookies(event)[SESSION_COOKIE];
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

/** Who the request is from, or undefined when nobody signed in. Never throws for bad input. */
export function principalOf(
  event: APIGatewayProxyEventV2,
  settings: AdminAuthSettings,
  now: Date,
): Principal | undefined {
  if (settings.mode === 'cognito') {
    const claims = (event.requestContext as { authorizer?: { jwt?: { claims?: Record<string, unknown> } } })
      .authorizer?.jwt?.claims;
    if (!claims || typeof claims.sub !== 'string') return undefined;
    const name = String(claims['cognito:username'] ?? claims.username ?? claims.email ?? claims.sub);
    return { id: claims.sub, name, groups: claimGroups(claims['cognito:groups']) };
  }
  const token = sessionTokenOf(event);
  return token ? verifySession(settings.credential.sessionSecret, token, now) : undefined;
}

/** The admin behind the request; UnauthenticatedError (401) or ForbiddenError (403) otherwise. */
export function requireAdmin(
  event: APIGatewayProxyEventV2,
  settings: AdminAuthSettings,
  now: Date,
): Principal {
  const principal = principalOf(event, settings, now);
  if (!principal) throw new UnauthenticatedError('Not signed in');
  if (!principal.groups.includes(ADMINS_GROUP)) throw new ForbiddenError('Not an admin');
  return principal;
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
