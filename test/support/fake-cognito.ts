/**
 * A tiny Cognito on 127.0.0.1 for the console's sign-in tests: a locally generated RSA key
 * pair, the pool's JWKS, a hosted UI page (pick a user, no password), the token endpoint
 * (authorization code + PKCE S256) and the logout redirect. Its tokens look like Cognito's
 * (iss, aud, token_use, cognito:groups, nonce); a test can bend the next ones (`mint`) to
 * see them refused. Also: the console served in Cognito mode on the embedded stack's data,
 * through the same HTTP bridge and routes as the local console.
 */
import { createHash, generateKeyPairSync, type KeyObject, randomBytes, randomUUID, sign } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dynamoClient, sfnClient } from '../../functions/adapters/clients.ts';
import { DynamoNominationSearch } from '../../functions/adapters/dynamo-search.ts';
import { DynamoNominationStore } from '../../functions/adapters/dynamo-store.ts';
import { SfnNominationExecutions } from '../../functions/adapters/sfn-executions.ts';
import { SfnRoundStarter } from '../../functions/adapters/sfn-workflow.ts';
import { CALLBACK_PATH, type CognitoSettings, SIGNED_OUT_PATH } from '../../functions/admin/cognito.ts';
import { JwksCache } from '../../functions/admin/jwt.ts';
import { START_ROUND_PATH } from '../../functions/admin/pages.ts';
import { type AdminHttpDeps, handleAdminRequest, serveAdmin } from '../../functions/admin/routes.ts';
import { startRoundRoute } from '../../functions/admin/start-round-route.ts';
import { productionDeps } from '../../functions/shared/deps.ts';
import { config } from '../../functions/shared/env.ts';
import { startHttpBridge } from '../../local/http-bridge.ts';
import type { EmbeddedStack } from '../../local/stack.ts';

export const POOL_ID = 'eu-north-1_Fake';
export const CLIENT_ID = 'fake-console-client';

export interface FakeUser {
  sub: string;
  email: string;
  groups: string[];
}

export const USERS = {
  admin: { sub: 'u-admin', email: 'paivi.paakayttaja@siunsote.example', groups: ['admins'] },
  viewer: { sub: 'u-viewer', email: 'ville.katsoja@siunsote.example', groups: ['viewers'] },
} satisfies Record<string, FakeUser>;

interface Grant {
  user: FakeUser;
  challenge: string;
  nonce?: string;
  redirectUri: string;
  used: boolean;
}

export interface FakeCognito {
  url: string;
  issuer: string;
  /** GETs of the JWKS so far. */
  jwksFetches(): number;
  /** Signs a payload as the pool (or with a key the pool never published). */
  sign(
    claims: Record<string, unknown>,
    opts?: { key?: 'pool' | 'stranger'; alg?: string; kid?: string },
  ): string;
  /** The ID token Cognito would give this user now (claims may be overridden). */
  idToken(user: FakeUser, overrides?: Record<string, unknown>): string;
  /** When set, the token endpoint's ID token is made by this from the claims it would use. */
  mint?: (claims: Record<string, unknown>) => string;
  allowRedirect(url: string): void;
  /** Cognito settings for a console at `publicBaseUrl`, with a fresh JWKS cache. */
  settings(publicBaseUrl: string): CognitoSettings;
  close(): Promise<void>;
}

function read(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

export async function startFakeCognito(): Promise<FakeCognito> {
  const pool = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomUUID();
  const jwk = {
    ...(pool.publicKey.export({ format: 'jwk' }) as Record<string, string>),
    kid,
    alg: 'RS256',
    use: 'sig',
  };
  const grants = new Map<string, Grant>();
  const redirects = new Set<string>();
  let jwksFetches = 0;
  let url = '';
  let issuer = '';

  const signJwt = (
    claims: Record<string, unknown>,
    opts: { key?: 'pool' | 'stranger'; alg?: string; kid?: string } = {},
  ) => {
    const header = { alg: opts.alg ?? 'RS256', kid: opts.kid ?? kid, typ: 'JWT' };
    const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const data = `${part(header)}.${part(claims)}`;
    const key: KeyObject = (opts.key === 'stranger' ? stranger : pool).privateKey;
    return `${data}.${sign('RSA-SHA256', Buffer.from(data), key).toString('base64url')}`;
  };
  const claimsFor = (user: FakeUser, tokenUse: 'id' | 'access', nonce?: string) => {
    const now = Math.floor(Date.now() / 1000);
    return {
      sub: user.sub,
      iss: issuer,
      token_use: tokenUse,
      ...(tokenUse === 'id'
        ? { aud: CLIENT_ID, email: user.email, ...(nonce && { nonce }) }
        : { client_id: CLIENT_ID }),
      'cognito:username': user.sub,
      'cognito:groups': user.groups,
      auth_time: now,
      iat: now,
      exp: now + 3600,
    };
  };

  const fake: FakeCognito = {
    get url() {
      return url;
    },
    get issuer() {
      return issuer;
    },
    jwksFetches: () => jwksFetches,
    sign: signJwt,
    idToken: (user, overrides = {}) => signJwt({ ...claimsFor(user, 'id'), ...overrides }),
    allowRedirect: (u) => redirects.add(u),
    settings: (publicBaseUrl) => ({
      issuer,
      clientId: CLIENT_ID,
      domain: url,
      publicBaseUrl,
      jwks: new JwksCache(`${issuer}/.well-known/jwks.json`),
    }),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };

  const send = (res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...headers });
    res.end(body);
  };
  const json = (res: ServerResponse, status: number, value: unknown) =>
    send(res, status, JSON.stringify(value), { 'content-type': 'application/json' });

  const server = createServer(async (req, res) => {
    const u = new URL(req.url ?? '/', url);
    const q = u.searchParams;
    if (req.method === 'GET' && u.pathname === `/${POOL_ID}/.well-known/jwks.json`) {
      jwksFetches++;
      return json(res, 200, { keys: [jwk] });
    }
    if (req.method === 'GET' && u.pathname === '/oauth2/authorize') {
      const redirectUri = q.get('redirect_uri') ?? '';
      if (
        q.get('response_type') !== 'code' ||
        q.get('client_id') !== CLIENT_ID ||
        !redirects.has(redirectUri) ||
        q.get('code_challenge_method') !== 'S256' ||
        !q.get('code_challenge')
      ) {
        return send(res, 400, 'invalid_request');
      }
      const hidden = ['state', 'nonce', 'code_challenge', 'redirect_uri']
        .map((name) => `<input type="hidden" name="${name}" value="${escapeHtml(q.get(name) ?? '')}">`)
        .join('');
      return send(
        res,
        200,
        `<!doctype html><html lang="fi"><head><meta charset="utf-8"><title>Kirjaudu (testi-Cognito)</title></head>
<body><main><h1>Kirjaudu (testi-Cognito)</h1><form method="post" action="/login">${hidden}
<label for="user">Käyttäjä</label><select id="user" name="user">${Object.entries(USERS)
          .map(([id, user]) => `<option value="${id}">${escapeHtml(user.email)}</option>`)
          .join('')}</select>
<button type="submit">Kirjaudu</button></form></main></body></html>`,
      );
    }
    if (req.method === 'POST' && u.pathname === '/login') {
      const form = new URLSearchParams(await read(req));
      const user = USERS[form.get('user') as keyof typeof USERS];
      const redirectUri = form.get('redirect_uri') ?? '';
      if (!user || !redirects.has(redirectUri)) return send(res, 400, 'bad login');
      const code = randomBytes(16).toString('hex');
      grants.set(code, {
        user,
        challenge: form.get('code_challenge') ?? '',
        nonce: form.get('nonce') || undefined,
        redirectUri,
        used: false,
      });
      const back = new URL(redirectUri);
      back.searchParams.set('code', code);
      back.searchParams.set('state', form.get('state') ?? '');
      return send(res, 302, '', { location: back.toString() });
    }
    if (req.method === 'POST' && u.pathname === '/oauth2/token') {
      const form = new URLSearchParams(await read(req));
      const grant = grants.get(form.get('code') ?? '');
      const verifier = form.get('code_verifier') ?? '';
      if (
        form.get('grant_type') !== 'authorization_code' ||
        form.get('client_id') !== CLIENT_ID ||
        !grant ||
        grant.used ||
        grant.redirectUri !== form.get('redirect_uri') ||
        createHash('sha256').update(verifier).digest('base64url') !== grant.challenge
      ) {
        return json(res, 400, { error: 'invalid_grant' });
      }
      grant.used = true;
      const idClaims = claimsFor(grant.user, 'id', grant.nonce);
      return json(res, 200, {
        id_token: fake.mint ? fake.mint(idClaims) : signJwt(idClaims),
        access_token: signJwt(claimsFor(grant.user, 'access')),
        refresh_token: randomBytes(32).toString('hex'),
        token_type: 'Bearer',
        expires_in: 3600,
      });
    }
    if (req.method === 'GET' && u.pathname === '/logout') {
      const back = q.get('logout_uri') ?? '';
      if (q.get('client_id') !== CLIENT_ID || !redirects.has(back)) return send(res, 400, 'bad logout');
      return send(res, 302, '', { location: back });
    }
    send(res, 404, 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  issuer = `${url}/${POOL_ID}`;
  return fake;
}

export interface CognitoConsole {
  url: string;
  settings: CognitoSettings;
  close(): Promise<void>;
}

/**
 * The console as it runs on AWS (Cognito mode), on the embedded stack's table and state
 * machines: the template's /admin routes through the local HTTP bridge, each request
 * handled as admin-api.ts (or admin-start-round.ts, for the upload) handles it, with the
 * fake's settings.
 */
export async function startCognitoConsole(stack: EmbeddedStack, fake: FakeCognito): Promise<CognitoConsole> {
  const { tableName } = config();
  const routes = stack.app.routes.filter((r) => r.path === '/admin' || r.path.startsWith('/admin/'));
  const deps: AdminHttpDeps = {
    ...productionDeps(),
    reads: new DynamoNominationStore(dynamoClient(), tableName),
    search: new DynamoNominationSearch(dynamoClient(), tableName),
    executions: new SfnNominationExecutions(sfnClient(), stack.stateMachineArns.nomination),
    rounds: new SfnRoundStarter(sfnClient(), stack.stateMachineArns.round),
    auth: { mode: 'local', credential: stack.admin.credential }, // replaced below, once the port is known
  };
  const bridge = await startHttpBridge({
    routes,
    invoke: async (_arn, event) => {
      const request = event as Parameters<typeof handleAdminRequest>[0];
      return request.routeKey === `POST ${START_ROUND_PATH}`
        ? serveAdmin(request, deps, startRoundRoute)
        : handleAdminRequest(request, deps);
    },
    port: 0,
  });
  const settings = fake.settings(bridge.url);
  deps.auth = { mode: 'cognito', cognito: settings };
  fake.allowRedirect(`${bridge.url}${CALLBACK_PATH}`);
  fake.allowRedirect(`${bridge.url}${SIGNED_OUT_PATH}`);
  return { url: bridge.url, settings, close: () => bridge.close() };
}
