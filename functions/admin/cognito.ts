/**
 * Signing in to the console on AWS with a browser: Cognito's hosted UI, the OAuth 2.0
 * authorization code grant with PKCE (S256), and the ID token as the session.
 *
 *   GET /admin/kirjaudu?next=…   a fresh state, nonce and PKCE verifier go into a short-lived
 *                                HttpOnly cookie (path /admin/kirjaudu, 10 min); the browser is
 *                                sent to the hosted UI with the state, nonce and S256 challenge
 *   GET /admin/kirjaudu/callback the state must equal the cookie's; the code is exchanged at the
 *                                token endpoint with the verifier; the ID token is verified
 *                                (jwt.ts: signature against the pool's JWKS, issuer, audience,
 *                                token_use, expiry, nonce) and must carry the admins group; it
 *                                becomes the session cookie (HttpOnly, Secure, SameSite=Lax)
 *   POST /admin/sign-out         the cookie is cleared and the hosted UI signs out too, then
 *   GET /admin/kirjaudu/ulos     says so
 *
 * Every later request verifies the cookie's token again (jwt.ts, JWKS cached per cold start).
 *
 * The login cookie is not signed (there is no server secret on AWS to sign it with): it
 * holds only random values the browser itself brought back; a changed state fails the
 * comparison, a changed verifier or nonce fails the exchange or the token check. The app
 * client is public (no client secret in the function's settings): PKCE protects the code.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { JwksCache } from './jwt.ts';

export const SIGN_IN_BASE = '/admin/kirjaudu';
export const CALLBACK_PATH = `${SIGN_IN_BASE}/callback`;
export const SIGNED_OUT_PATH = `${SIGN_IN_BASE}/ulos`;
export const LOGIN_COOKIE = 'nimitys_kirjautuminen';
/** Time to get through the hosted UI (password and MFA code). */
export const LOGIN_SECONDS = 10 * 60;
const SCOPES = 'openid email';
const FETCH_TIMEOUT_MS = 5_000;

export type PostForm = (
  url: string,
  form: Record<string, string>,
) => Promise<{ status: number; body: unknown }>;

async function postForm(
  url: string,
  form: Record<string, string>,
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams(form).toString(),
    signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, body };
}

export interface CognitoSettings {
  /** https://cognito-idp.<region>.amazonaws.com/<user pool id>: the tokens' iss, the JWKS's home. */
  issuer: string;
  /** The console's app client: the ID token's aud, the access token's client_id. */
  clientId: string;
  /** The hosted UI, e.g. https://<prefix>.auth.<region>.amazoncognito.com */
  domain: string;
  /** Where the console is served (its callback and sign-out return live under /admin/kirjaudu). */
  publicBaseUrl: string;
  jwks: JwksCache;
  /** The token endpoint call; a test may hand in its own. */
  postForm?: PostForm;
}

export const cognitoUrls = (s: Pick<CognitoSettings, 'issuer' | 'domain' | 'publicBaseUrl'>) => ({
  jwks: `${s.issuer}/.well-known/jwks.json`,
  authorize: `${s.domain}/oauth2/authorize`,
  token: `${s.domain}/oauth2/token`,
  logout: `${s.domain}/logout`,
  callback: `${s.publicBaseUrl}${CALLBACK_PATH}`,
  signedOut: `${s.publicBaseUrl}${SIGNED_OUT_PATH}`,
});

/** Cookies get Secure whenever the console is served over https (always on AWS). */
export function secureAttribute(publicBaseUrl: string): string {
  return publicBaseUrl.startsWith('https://') ? '; Secure' : '';
}

export interface LoginState {
  state: string;
  nonce: string;
  verifier: string;
  /** Console path to return to. */
  next: string;
  /** Epoch seconds after which the sign-in must start over. */
  exp: number;
}

const random = () => randomBytes(32).toString('base64url');

/** Only console paths: never another site, never a protocol-relative URL. */
export function safeNext(next: string | undefined): string {
  if (!next || !/^\/admin(?:[/?]|$)/.test(next) || next.startsWith(SIGN_IN_BASE)) return '/admin';
  return next;
}

export function newLogin(next: string | undefined, now: Date): LoginState {
  return {
    state: random(),
    nonce: random(),
    verifier: random(),
    next: safeNext(next),
    exp: Math.floor(now.getTime() / 1000) + LOGIN_SECONDS,
  };
}

export function pkceChallenge(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

export function authorizeUrl(s: CognitoSettings, login: LoginState): string {
  const urls = cognitoUrls(s);
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: s.clientId,
    redirect_uri: urls.callback,
    scope: SCOPES,
    state: login.state,
    nonce: login.nonce,
    code_challenge: pkceChallenge(login.verifier),
    code_challenge_method: 'S256',
  });
  return `${urls.authorize}?${query}`;
}

export function loginCookie(s: CognitoSettings, login: LoginState): string {
  const value = Buffer.from(JSON.stringify(login)).toString('base64url');
  return `${LOGIN_COOKIE}=${value}; Path=${SIGN_IN_BASE}; HttpOnly; SameSite=Lax; Max-Age=${LOGIN_SECONDS}${secureAttribute(s.publicBaseUrl)}`;
}

export function clearLoginCookie(s: CognitoSettings): string {
  return `${LOGIN_COOKIE}=; Path=${SIGN_IN_BASE}; HttpOnly; SameSite=Lax; Max-Age=0${secureAttribute(s.publicBaseUrl)}`;
}

/** The login cookie's state if it is well-formed and not expired; undefined otherwise. */
export function readLogin(cookieValue: string | undefined, now: Date): LoginState | undefined {
  if (!cookieValue || cookieValue.length > 2048) return undefined;
  try {
    const login = JSON.parse(Buffer.from(cookieValue, 'base64url').toString('utf8')) as LoginState;
    const fields = [login.state, login.nonce, login.verifier, login.next];
    if (!fields.every((f) => typeof f === 'string' && f !== '') || typeof login.exp !== 'number')
      return undefined;
    if (login.exp * 1000 <= now.getTime()) return undefined;
    return { ...login, next: safeNext(login.next) };
  } catch {
    return undefined;
  }
}

export function sameState(expected: string, given: string | undefined): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given ?? '');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token endpoint refused the code (or answered nonsense). */
export class CodeExchangeError extends Error {
  override readonly name = 'CodeExchangeError';
}

/** Exchanges the authorization code for tokens (public client + PKCE verifier); returns the ID token. */
export async function exchangeCode(s: CognitoSettings, code: string, verifier: string): Promise<string> {
  const urls = cognitoUrls(s);
  const { status, body } = await (s.postForm ?? postForm)(urls.token, {
    grant_type: 'authorization_code',
    client_id: s.clientId,
    code,
    redirect_uri: urls.callback,
    code_verifier: verifier,
  });
  const idToken = (body as { id_token?: unknown } | undefined)?.id_token;
  if (status !== 200 || typeof idToken !== 'string') {
    const error = (body as { error?: unknown } | undefined)?.error;
    throw new CodeExchangeError(
      `Token endpoint answered ${status}${typeof error === 'string' ? ` ${error}` : ''}`,
    );
  }
  return idToken;
}

export function logoutUrl(s: CognitoSettings): string {
  const urls = cognitoUrls(s);
  return `${urls.logout}?${new URLSearchParams({ client_id: s.clientId, logout_uri: urls.signedOut })}`;
}
