/**
 * The admin console's parts on fakes: auth decisions (local sessions, Cognito tokens
 * verified against a locally made key pair), the sign-in's PKCE and state, search terms
 * and the search across rounds, link opens, the words for states, CSV, uploads.
 */
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import {
  ADMINS_GROUP,
  type AdminAuthSettings,
  csrfFor,
  ForbiddenError,
  hashPassword,
  issueSession,
  newLocalCredential,
  requireAdmin,
  signInLocal,
  UnauthenticatedError,
  verifyPassword,
  verifySession,
} from '../../functions/admin/auth.ts';
import { authorizeUrl, newLogin, pkceChallenge, readLogin, safeNext } from '../../functions/admin/cognito.ts';
import { JwksCache, TokenRejectedError, verifyCognitoToken } from '../../functions/admin/jwt.ts';
import { parseMultipart } from '../../functions/admin/multipart.ts';
import { searchNominations } from '../../functions/admin/search.ts';
import { attentionList, buildRows, linkOpenItem, matches } from '../../functions/admin/view-model.ts';
import type { NominationKey, NominationSearch } from '../../functions/domain/admin-ports.ts';
import { ValidationError } from '../../functions/domain/errors.ts';
import { continuesVisit, scannerSign, VISIT_WINDOW_MS } from '../../functions/domain/link-opens.ts';
import type { Link, StoredRound } from '../../functions/domain/ports.ts';
import {
  municipalityTerms,
  nominationTerms,
  normalizeSearchText,
  queryWords,
  termPartition,
} from '../../functions/domain/search.ts';
import type { Nomination, NominationStatus, Round } from '../../functions/domain/types.ts';
import { failedStep, roundCsv } from '../../functions/use-cases/admin-actions.ts';
import { recordLinkOpened } from '../../functions/use-cases/link-opened.ts';
import { MemoryStore } from '../fakes/memory.ts';
import { liperiDecision, liperiProposal, liperiRound } from '../fixtures/liperi.ts';

const NOW = new Date('2026-11-27T10:00:00Z');

// --- A Cognito user pool of our own: a key pair, its JWKS, tokens signed as Cognito signs them ---

const ISSUER = 'https://cognito-idp.eu-north-1.amazonaws.com/eu-north-1_Test';
const CLIENT = 'console-client';
const POOL_KEY = generateKeyPairSync('rsa', { modulusLength: 2048 });
const OTHER_KEY = generateKeyPairSync('rsa', { modulusLength: 2048 });
const JWKS = {
  keys: [{ ...POOL_KEY.publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'RS256', use: 'sig' }],
};

function jwt(
  claims: Record<string, unknown>,
  opts: { key?: typeof POOL_KEY; alg?: string; kid?: string } = {},
) {
  const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const data = `${part({ alg: opts.alg ?? 'RS256', kid: opts.kid ?? 'k1' })}.${part(claims)}`;
  return `${data}.${sign('RSA-SHA256', Buffer.from(data), (opts.key ?? POOL_KEY).privateKey).toString('base64url')}`;
}

const nowSeconds = Math.floor(NOW.getTime() / 1000);
function idClaims(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    sub: 'u1',
    iss: ISSUER,
    aud: CLIENT,
    token_use: 'id',
    email: 'paivi@siunsote.example',
    'cognito:groups': [ADMINS_GROUP],
    iat: nowSeconds - 10,
    auth_time: nowSeconds - 10,
    exp: nowSeconds + 3600,
    ...extra,
  };
}

function jwks(body: unknown = JWKS) {
  const cache = new JwksCache(`${ISSUER}/.well-known/jwks.json`, async () => body);
  return cache;
}

function cognitoSettings(cache = jwks()): AdminAuthSettings {
  return {
    mode: 'cognito',
    cognito: {
      issuer: ISSUER,
      clientId: CLIENT,
      domain: 'https://x.auth.example',
      publicBaseUrl: 'https://n.example',
      jwks: cache,
    },
  };
}

function event(headers: Record<string, string>, claims?: Record<string, unknown>): APIGatewayProxyEventV2 {
  return {
    headers,
    requestContext: { http: { method: 'GET' }, ...(claims && { authorizer: { jwt: { claims } } }) },
  } as unknown as APIGatewayProxyEventV2;
}

describe('admin auth', () => {
  it('accepts the right password only, and stores no password', () => {
    const stored = hashPassword('oikea salasana');
    expect(stored).not.toContain('oikea');
    expect(verifyPassword('oikea salasana', stored)).toBe(true);
    expect(verifyPassword('väärä', stored)).toBe(false);
  });

  it('issues an admin session for the local credential, refuses anything else', () => {
    const { credential, password } = newLocalCredential();
    expect(signInLocal(credential, 'admin', 'wrong', NOW)).toBeUndefined();
    expect(signInLocal(credential, 'someone', password, NOW)).toBeUndefined();
    const token = signInLocal(credential, 'Admin', password, NOW) ?? '';
    expect(verifySession(credential.sessionSecret, token, NOW)?.groups).toEqual([ADMINS_GROUP]);
  });

  it('refuses a tampered, foreign or expired session', () => {
    const { credential } = newLocalCredential();
    const token = issueSession(credential.sessionSecret, { id: 'a', name: 'a', groups: [] }, NOW);
    const [payload, signature] = token.split('.');
    const elevated = Buffer.from(JSON.stringify({ sub: 'a', groups: [ADMINS_GROUP], exp: 9e9 })).toString(
      'base64url',
    );
    expect(verifySession(credential.sessionSecret, `${elevated}.${signature}`, NOW)).toBeUndefined();
    expect(verifySession('another secret', token, NOW)).toBeUndefined();
    expect(
      verifySession(credential.sessionSecret, token, new Date(NOW.getTime() + 11 * 3600_000)),
    ).toBeUndefined();
    expect(verifySession(credential.sessionSecret, `${payload}.${signature}`, NOW)?.id).toBe('a');
  });

  it('says 401 without a principal and 403 without the admins group, locally and with Cognito claims', async () => {
    const { credential } = newLocalCredential();
    const local = { mode: 'local' as const, credential };
    const viewer = issueSession(credential.sessionSecret, { id: 'v', name: 'v', groups: [] }, NOW);
    await expect(requireAdmin(event({}), local, NOW)).rejects.toThrow(UnauthenticatedError);
    await expect(requireAdmin(event({ cookie: `nimitys_admin=${viewer}` }), local, NOW)).rejects.toThrow(
      ForbiddenError,
    );

    const cognito = cognitoSettings();
    await expect(requireAdmin(event({}), cognito, NOW)).rejects.toThrow(UnauthenticatedError);
    await expect(
      requireAdmin(event({}, { sub: 'u1', 'cognito:groups': '[viewers]' }), cognito, NOW),
    ).rejects.toThrow(ForbiddenError);
    const admin = await requireAdmin(
      event({}, { sub: 'u1', 'cognito:username': 'maija', 'cognito:groups': '[viewers admins]' }),
      cognito,
      NOW,
    );
    expect(admin.principal.name).toBe('maija');
    expect(admin.via).toBe('authorizer');
  });

  it('lets a browser in with a verified ID token in the session cookie, and checks its CSRF by the token', async () => {
    const cognito = cognitoSettings();
    const token = jwt(idClaims());
    const admin = await requireAdmin(event({ cookie: `nimitys_admin=${token}` }), cognito, NOW);
    expect(admin).toMatchObject({
      via: 'cookie',
      token,
      principal: { id: 'u1', name: 'paivi@siunsote.example' },
    });
    expect(csrfFor(cognito, token)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(csrfFor(cognito, token)).not.toBe(csrfFor(cognito, jwt(idClaims({ sub: 'u2' }))));
    // a valid token of someone outside the admins group: 403; a forged one: 401
    const viewer = jwt(idClaims({ 'cognito:groups': ['viewers'] }));
    await expect(requireAdmin(event({ cookie: `nimitys_admin=${viewer}` }), cognito, NOW)).rejects.toThrow(
      ForbiddenError,
    );
    const forged = jwt(idClaims(), { key: OTHER_KEY });
    await expect(requireAdmin(event({ cookie: `nimitys_admin=${forged}` }), cognito, NOW)).rejects.toThrow(
      UnauthenticatedError,
    );
    // an API client's access token in the Authorization header, on a route without the authorizer
    const access = jwt(idClaims({ token_use: 'access', aud: undefined, client_id: CLIENT }));
    const api = await requireAdmin(event({ authorization: `Bearer ${access}` }), cognito, NOW);
    expect(api.via).toBe('bearer');
  });
});

describe('Cognito tokens (RS256 against the pool’s JWKS)', () => {
  const verifyWith = (
    token: string,
    cache = jwks(),
    extra: { nonce?: string; tokenUse?: 'id' | 'access' } = {},
  ) =>
    verifyCognitoToken(token, cache, {
      issuer: ISSUER,
      clientId: CLIENT,
      tokenUse: extra.tokenUse ?? 'id',
      now: NOW,
      nonce: extra.nonce,
    });
  const reason = async (token: string, extra: { nonce?: string; tokenUse?: 'id' | 'access' } = {}) => {
    try {
      await verifyWith(token, jwks(), extra);
      return 'accepted';
    } catch (error) {
      if (error instanceof TokenRejectedError) return error.reason;
      throw error;
    }
  };

  it('accepts a token the pool signed for the console, with the expected nonce', async () => {
    const claims = await verifyWith(jwt(idClaims({ nonce: 'n1' })), jwks(), { nonce: 'n1' });
    expect(claims.sub).toBe('u1');
    expect(claims['cognito:groups']).toEqual([ADMINS_GROUP]);
  });

  it('refuses a tampered, foreign, expired, misdirected or malformed token, naming why', async () => {
    const good = jwt(idClaims());
    const [h, p, sig] = good.split('.');
    const elevated = Buffer.from(JSON.stringify(idClaims({ sub: 'someone-else' }))).toString('base64url');
    const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const hmac = `${part({ alg: 'HS256', kid: 'k1' })}.${p}.${sig}`;
    expect(await reason(`${h}.${elevated}.${sig}`)).toBe('bad signature');
    expect(await reason(`${h}.${p}.${(sig ?? '').slice(0, -4)}AAAA`)).toBe('bad signature');
    expect(await reason(jwt(idClaims(), { key: OTHER_KEY }))).toBe('bad signature');
    expect(await reason(jwt(idClaims(), { kid: 'k2' }))).toBe('unknown kid');
    expect(await reason(`${part({ alg: 'none', kid: 'k1' })}.${p}.`)).toBe('not a signed JWT');
    expect(await reason(hmac)).toBe('alg HS256');
    expect(await reason(jwt(idClaims({ exp: nowSeconds - 61 })))).toBe('expired');
    expect(await reason(jwt(idClaims({ iat: nowSeconds + 3600 })))).toBe('iat in the future');
    expect(
      await reason(jwt(idClaims({ iss: 'https://cognito-idp.eu-north-1.amazonaws.com/eu-north-1_Other' }))),
    ).toBe('wrong issuer');
    expect(await reason(jwt(idClaims({ aud: 'another-client' })))).toBe('wrong audience');
    expect(await reason(jwt(idClaims({ token_use: 'access' })))).toBe('wrong token_use');
    expect(
      await reason(jwt(idClaims({ token_use: 'access', client_id: 'another-client' })), {
        tokenUse: 'access',
      }),
    ).toBe('wrong audience');
    expect(await reason(jwt(idClaims({ nonce: 'n1' })), { nonce: 'n2' })).toBe('wrong nonce');
    expect(await reason('not.a.jwt')).toBe('header is not JSON');
    expect(await reason('x')).toBe('not a signed JWT');
  });

  it('fetches the JWKS once for many tokens, again (at most once a minute) for an unknown kid', async () => {
    let fetches = 0;
    let clock = 0;
    const cache = new JwksCache(
      'jwks',
      async () => {
        fetches++;
        return JWKS;
      },
      () => clock,
    );
    for (let i = 0; i < 5; i++) await verifyWith(jwt(idClaims()), cache);
    expect(fetches).toBe(1);
    await expect(verifyWith(jwt(idClaims(), { kid: 'new' }), cache)).rejects.toThrow('unknown kid');
    await expect(verifyWith(jwt(idClaims(), { kid: 'new' }), cache)).rejects.toThrow('unknown kid');
    expect(fetches).toBe(1);
    clock = 61_000;
    await expect(verifyWith(jwt(idClaims(), { kid: 'new' }), cache)).rejects.toThrow('unknown kid');
    expect(fetches).toBe(2);
  });
});

describe('the hosted UI sign-in', () => {
  it('sends an S256 challenge of a fresh verifier, a state and a nonce, and returns only to console paths', () => {
    const settings = cognitoSettings();
    if (settings.mode !== 'cognito') throw new Error('cognito');
    const login = newLogin('/admin/rounds/r?status=failed', NOW);
    const url = new URL(authorizeUrl(settings.cognito, login));
    expect(url.origin + url.pathname).toBe('https://x.auth.example/oauth2/authorize');
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: CLIENT,
      redirect_uri: 'https://n.example/admin/kirjaudu/callback',
      code_challenge_method: 'S256',
      code_challenge: createHash('sha256').update(login.verifier).digest('base64url'),
      state: login.state,
      nonce: login.nonce,
    });
    expect(pkceChallenge(login.verifier)).not.toBe(login.verifier);
    expect(login.state).not.toBe(newLogin(undefined, NOW).state);
    expect(login.next).toBe('/admin/rounds/r?status=failed');
    for (const bad of [
      '//evil.example/admin',
      'https://evil.example/admin',
      '/adminx',
      '/l/abc',
      '/admin/kirjaudu/callback',
    ]) {
      expect(safeNext(bad)).toBe('/admin');
    }
  });

  it('reads back a login cookie only while it is fresh and whole', () => {
    const login = newLogin(undefined, NOW);
    const value = Buffer.from(JSON.stringify(login)).toString('base64url');
    expect(readLogin(value, NOW)?.verifier).toBe(login.verifier);
    expect(readLogin(value, new Date(NOW.getTime() + 11 * 60_000))).toBeUndefined();
    expect(readLogin('bm9wZQ', NOW)).toBeUndefined();
    expect(readLogin(undefined, NOW)).toBeUndefined();
  });
});

function nomination(
  municipalityId: string,
  status: Nomination['status'],
  extra: Partial<Nomination> = {},
): Nomination {
  return {
    roundId: 'r',
    municipalityId,
    groupId: 'keski-karjala',
    status,
    updatedAt: NOW.toISOString(),
    version: 1,
    ...extra,
  };
}

describe('the round view’s words', () => {
  const round = liperiRound();

  it('says whom a nomination waits on and since when', () => {
    const [row] = buildRows(
      round,
      [nomination('liperi', 'awaiting_approval')],
      [
        {
          roundId: 'r',
          municipalityId: 'liperi',
          step: 'approval',
          taskToken: 't',
          linkTokenHash: 'h',
          openedAt: '2026-11-20T08:00:00Z',
        },
      ],
      NOW,
    );
    expect(row?.stateText).toMatch(/^Odottaa hyväksyntää esittelijältä .+ 20\.11\.2026 klo 10\.00 alkaen$/);
    expect(row?.waitingSince).toBe('2026-11-20T08:00:00Z');
  });

  it('puts failures first, then bounced mails, overdue answers and no answers', () => {
    const late = { ...round, deadline: '2026-11-01' };
    const ids = late.municipalities.map((m) => m.id);
    const rows = buildRows(
      late,
      [
        nomination(ids[0] as string, 'no_answer'),
        nomination(ids[0] as string, 'awaiting_proposal'),
        nomination(ids[0] as string, 'failed'),
      ],
      [],
      NOW,
      [],
    );
    expect(attentionList(rows).map((r) => r.attention)).toEqual(['failed', 'overdue', 'no_answer']);
  });

  it('finds a nomination by a nominee’s e-mail or the decision’s section', () => {
    const person = { name: 'Sami Kuikka', title: 'x', email: 'sami.kuikka@liperi.example' };
    const [row] = buildRows(
      round,
      [
        nomination('liperi', 'completed', {
          decision: {
            outcome: 'adopted',
            meetingDate: '2023-06-12',
            section: '87',
            text: 't',
            nominees: [person],
            decidedAt: NOW.toISOString(),
            recordedBy: 'x',
          },
        }),
      ],
      [],
      NOW,
    );
    if (!row) throw new Error('no row');
    expect(matches(row, 'SAMI.KUIKKA@')).toBe(true);
    expect(matches(row, '§ 87')).toBe(true);
    expect(matches(row, 'joensuu')).toBe(false);
  });
});

// --- Search across rounds ---------------------------------------------------------------

/** The index as the DynamoDB adapter keeps it: terms → nominations, prefix lookups. */
class MemorySearch implements NominationSearch {
  private readonly terms: Array<{ term: string; key: NominationKey }> = [];
  lookups: string[] = [];

  constructor(
    private readonly rounds: StoredRound[],
    private readonly nominations: Nomination[],
  ) {
    for (const r of rounds) {
      for (const m of r.round.municipalities) {
        for (const t of municipalityTerms(m))
          this.terms.push({ term: t.term, key: { roundId: r.round.id, municipalityId: m.id } });
      }
    }
  }

  /** As a save does: the nomination's own terms join the index (old ones stay). */
  save(n: Nomination) {
    const i = this.nominations.findIndex(
      (x) => x.roundId === n.roundId && x.municipalityId === n.municipalityId,
    );
    if (i >= 0) this.nominations[i] = n;
    else this.nominations.push(n);
    for (const t of nominationTerms(n))
      this.terms.push({ term: t.term, key: { roundId: n.roundId, municipalityId: n.municipalityId } });
  }

  async keysByPrefix(prefix: string, limit: number) {
    this.lookups.push(prefix);
    const keys = new Map<string, NominationKey>();
    for (const { term, key } of this.terms)
      if (term.startsWith(prefix)) keys.set(`${key.roundId}/${key.municipalityId}`, key);
    return { keys: [...keys.values()].slice(0, limit), more: keys.size > limit };
  }

  async byStatus(status: NominationStatus, limit: number) {
    const all = this.nominations
      .filter((n) => n.status === status)
      .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
    return { nominations: all.slice(0, limit), more: all.length > limit };
  }

  async getNominations(keys: NominationKey[]) {
    return this.nominations.filter((n) =>
      keys.some((k) => k.roundId === n.roundId && k.municipalityId === n.municipalityId),
    );
  }

  async getRounds(ids: string[]) {
    return this.rounds.filter((r) => ids.includes(r.round.id));
  }
}

describe('search terms', () => {
  it('compares text in one form and case, keeping ä and ö as letters of their own', () => {
    const decomposed = 'Ma\u0308ntta\u0308-Vilppula';
    expect(normalizeSearchText(decomposed)).toBe('mänttä-vilppula');
    expect(normalizeSearchText('  MÄNTTÄ–Vilppula!  ')).toBe('mänttä vilppula');
    expect(normalizeSearchText('§ 87')).toBe('§87');
    expect(queryWords('Sami   KUIKKA')).toEqual(['sami', 'kuikka']);
    expect(normalizeSearchText('Mänttä').includes(normalizeSearchText('mantta'))).toBe(false);
    expect(termPartition('ääneKOSKI'.toLowerCase())).toBe('ää');
  });

  it('indexes a municipality by its name, officials and addresses, and a decision by its people, § and diary number', () => {
    const round = liperiRound();
    const municipality = round.municipalities[0];
    if (!municipality) throw new Error('no municipality');
    const terms = municipalityTerms(municipality).map((t) => t.term);
    expect(terms).toEqual(
      expect.arrayContaining([
        'liperi',
        'riitta lappalainen',
        'lappalainen',
        'riitta.lappalainen@liperi.example',
        'liperi.example',
      ]),
    );
    expect(terms).not.toContain('example');
    const decided = nominationTerms({
      ...nomination('liperi', 'completed'),
      decision: { ...liperiDecision(), diaryNumber: 'LIP/123/2023' },
    }).map((t) => t.term);
    expect(decided).toEqual(
      expect.arrayContaining([
        'sami kuikka',
        'kuikka',
        'eeva elomäki',
        'elomäki',
        '§87',
        '87',
        'lip/123/2023',
        '123/2023',
      ]),
    );
    expect(nominationTerms(nomination('liperi', 'pending'))).toEqual([]);
  });
});

describe('search across rounds', () => {
  const clock = { now: () => NOW };
  function twoRounds() {
    const older: Round = { ...liperiRound(), id: 'pk-2023' };
    const newer: Round = { ...liperiRound(), id: 'pk-2024', title: 'Kumppanuusryhmät 2024' };
    const stored = (round: Round, createdAt: string): StoredRound => ({
      round,
      definitionHash: 'h',
      status: 'running',
      createdAt,
    });
    const search = new MemorySearch(
      [stored(older, '2023-10-01T00:00:00Z'), stored(newer, '2024-10-01T00:00:00Z')],
      [],
    );
    // 2023: decided with Sami Kuikka; 2024: Kuikka only proposed so far
    search.save({
      ...nomination('liperi', 'completed'),
      roundId: 'pk-2023',
      proposal: liperiProposal(),
      decision: liperiDecision(),
    });
    search.save({
      ...nomination('liperi', 'awaiting_approval'),
      roundId: 'pk-2024',
      proposal: liperiProposal(),
    });
    return search;
  }

  it('finds a person in every round, newest first, each result saying what matched', async () => {
    const search = twoRounds();
    const found = await searchNominations({ query: 'KUIKKA' }, { search, clock });
    expect(found.hits.map((h) => [h.stored.round.id, h.row.municipality.id, h.matched])).toEqual([
      ['pk-2024', 'liperi', 'Ehdotettu: Sami Kuikka'],
      ['pk-2023', 'liperi', 'Ehdotettu: Sami Kuikka'],
    ]);
    // every word must match, in any order
    expect((await searchNominations({ query: 'kuikka sami' }, { search, clock })).hits).toHaveLength(2);
    expect((await searchNominations({ query: 'kuikka joensuu' }, { search, clock })).hits).toHaveLength(0);
    // the longest word is looked up
    expect(search.lookups.at(-1)).toBe('joensuu');
  });

  it('filters by state, with or without words', async () => {
    const search = twoRounds();
    const decided = await searchNominations({ query: 'kuikka', status: 'completed' }, { search, clock });
    expect(decided.hits.map((h) => h.stored.round.id)).toEqual(['pk-2023']);
    const waiting = await searchNominations({ status: 'awaiting_approval' }, { search, clock });
    expect(waiting.hits.map((h) => h.stored.round.id)).toEqual(['pk-2024']);
    expect(waiting.hits[0]?.matched).toBeUndefined();
    const section = await searchNominations({ query: '§ 87' }, { search, clock });
    expect(section.hits.map((h) => [h.stored.round.id, h.matched])).toEqual([['pk-2023', 'Pykälä: § 87']]);
  });

  it('drops a hit the nomination no longer contains (a returned proposal’s people stay in the index)', async () => {
    const search = twoRounds();
    const proposal = liperiProposal();
    search.save({
      ...nomination('liperi', 'awaiting_approval'),
      roundId: 'pk-2024',
      proposal: { ...proposal, nominees: proposal.nominees.filter((p) => p.name !== 'Sami Kuikka') },
    });
    const found = await searchNominations({ query: 'kuikka' }, { search, clock });
    expect(found.hits.map((h) => h.stored.round.id)).toEqual(['pk-2023']);
  });

  it('asks for more than one letter, and searches nothing for an empty form', async () => {
    const search = twoRounds();
    await expect(searchNominations({ query: 'k' }, { search, clock })).rejects.toThrow(ValidationError);
    const empty = await searchNominations({ query: '  ', status: 'no-such-state' }, { search, clock });
    expect(empty).toMatchObject({ searched: false, hits: [], status: '' });
  });
});

// --- Link opens --------------------------------------------------------------------------

describe('link opens', () => {
  const created = '2026-11-27T09:00:00.000Z';
  const at = (seconds: number) => new Date(Date.parse(created) + seconds * 1000);
  const browser =
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36';
  /** A link of Liperi's waiting proposal step, mailed at `created`. */
  const proposalLink = (tokenHash: string): Link => ({
    tokenHash,
    roundId: 'r',
    municipalityId: 'liperi',
    step: 'proposal',
    recipientEmail: 'riitta.lappalainen@liperi.example',
    recipientName: 'Riitta Lappalainen',
    status: 'open',
    createdAt: created,
    expiresAt: '2026-12-31T22:00:00.000Z',
  });

  it('tells a person’s open from a mail scanner’s', () => {
    expect(scannerSign({ method: 'GET', userAgent: browser }, created, at(600))).toBeUndefined();
    expect(scannerSign({ method: 'HEAD', userAgent: browser }, created, at(600))).toBe('head');
    expect(scannerSign({ method: 'GET', userAgent: '' }, created, at(600))).toBe('no-user-agent');
    expect(
      scannerSign(
        { method: 'GET', userAgent: 'Mozilla/5.0 (compatible; Barracuda Sentinel)' },
        created,
        at(600),
      ),
    ).toBe('user-agent');
    expect(scannerSign({ method: 'GET', userAgent: browser }, created, at(5))).toBe('soon-after-sending');
  });

  it('counts two GETs on one record and changes nothing else', async () => {
    // prepare: a link of a waiting step
    const store = new MemoryStore();
    const link = proposalLink('h1');
    await store.putLink(link);
    await store.putNominationIfAbsent(nomination('liperi', 'awaiting_proposal'));
    // act: a scanner right after sending, then the person
    let now = at(3);
    const deps = { store, clock: { now: () => now } };
    await recordLinkOpened(link, { method: 'GET', userAgent: browser }, deps);
    now = at(3600);
    await recordLinkOpened(link, { method: 'GET', userAgent: browser }, deps);
    // assess
    const open = store.opens.get('h1');
    expect(open).toMatchObject({
      openCount: 2,
      suspectedCount: 1,
      suspectedSign: 'soon-after-sending',
      firstOpenedAt: at(3).toISOString(),
      firstPersonOpenedAt: at(3600).toISOString(),
      lastOpenedAt: at(3600).toISOString(),
    });
    expect((await store.getLink('h1'))?.status).toBe('open');
    expect((await store.getNomination('r', 'liperi'))?.status).toBe('awaiting_proposal');
    expect(store.audit).toEqual([]);
    // in the timeline: at the person's open, the scanner's mentioned
    if (!open) throw new Error('no open');
    expect(linkOpenItem(open)).toEqual({
      at: at(3600).toISOString(),
      text: `Linkki avattu: ehdotuksen linkki, Riitta Lappalainen (2 kertaa, viimeksi 27.11.2026 klo 12.00) – näistä 1 todennäköisesti sähköpostin tarkistuspalvelun`,
    });
  });

  it('counts opens less than a minute apart, of the same kind, as one visit: a reload is not written again', async () => {
    // prepare: a link whose record is read with the page, as openLink reads it
    const store = new MemoryStore();
    const link = proposalLink('h2');
    let now = at(600);
    const deps = { store, clock: { now: () => now } };
    const open = async (userAgent: string) => {
      const { linkOpen } = await store.getNominationAndWait('r', 'liperi', 'proposal', link.tokenHash);
      await recordLinkOpened(link, { method: 'GET', userAgent }, deps, linkOpen);
    };
    // act: a person opens and reloads twice within the minute, a scanner follows, then the
    // person comes back after the minute
    await open(browser);
    now = at(620);
    await open(browser);
    now = at(659);
    await open(browser);
    now = at(660);
    await open('Mozilla/5.0 (compatible; Barracuda Sentinel)');
    now = at(660 + VISIT_WINDOW_MS / 1000);
    await open(browser);
    // assess: three visits — the person's, the scanner's, the person's again
    expect(store.opens.get('h2')).toMatchObject({
      openCount: 3,
      suspectedCount: 1,
      firstPersonOpenedAt: at(600).toISOString(),
      lastOpenedAt: at(720).toISOString(),
    });
    // the rule itself: same kind and within the window only
    const record = store.opens.get('h2');
    expect(continuesVisit(undefined, undefined, at(720))).toBe(false);
    expect(continuesVisit(record, undefined, at(779))).toBe(true);
    expect(continuesVisit(record, undefined, at(780))).toBe(false);
    expect(continuesVisit(record, 'head', at(721))).toBe(true);
    expect(continuesVisit(record, undefined, at(719))).toBe(false); // a clock behind the record
    expect(continuesVisit({ ...record, firstPersonOpenedAt: undefined } as never, undefined, at(721))).toBe(
      false,
    );
  });

  it('says when only a scanner opened the link, and never fails the page for a failed write', async () => {
    const only = linkOpenItem({
      roundId: 'r',
      municipalityId: 'm',
      step: 'decision',
      recipientName: 'Sihteeri',
      linkCreatedAt: created,
      firstOpenedAt: at(2).toISOString(),
      lastOpenedAt: at(2).toISOString(),
      openCount: 1,
      suspectedCount: 1,
      suspectedSign: 'user-agent',
    });
    expect(only.text).toBe(
      'Linkki avattu: päätöksen kirjaamisen linkki, Sihteeri – todennäköisesti sähköpostin tarkistuspalvelu, ei vastaanottaja',
    );
    const failing = { recordLinkOpen: async () => Promise.reject(new Error('throttled')) };
    await expect(
      recordLinkOpened(
        { tokenHash: 'x', createdAt: created } as Link,
        { method: 'GET' },
        { store: failing, clock: { now: () => NOW } },
      ),
    ).resolves.toBeUndefined();
  });
});

describe('CSV export', () => {
  it('quotes what needs quoting and never lets a cell run as a formula', () => {
    const csv = roundCsv([
      {
        roundId: 'r',
        groupName: 'Ryhmä; yksi',
        municipalityName: '=HYPERLINK("x")',
        statusLabel: 'Valmis',
        stateText: 'ok',
        deadline: '2026-12-01',
        nomination: nomination('liperi', 'completed'),
        preparer: { name: '@pelle', email: 'p@x.example' },
        presenter: { name: 'E' },
        bodyName: 'Lautakunta',
      },
    ]);
    expect(csv.startsWith('\ufeffKierros;')).toBe(true);
    expect(csv).toContain(`"Ryhmä; yksi"`);
    expect(csv).toContain(`"'=HYPERLINK(""x"")"`);
    expect(csv).toContain(`;'@pelle;`);
  });
});

describe('retry', () => {
  it('resumes at the last step entered before the failure handler', () => {
    const entered = (state: string) => ({ type: 'TaskStateEntered', state });
    expect(
      failedStep([
        entered('RequestProposal'),
        entered('PlanApprovalWait'),
        entered('RequestDecision'),
        entered('SendExcerpts'),
        entered('RecordFailure'),
      ]),
    ).toBe('excerpts');
    expect(failedStep([entered('PlanApprovalWait'), entered('RecordFailure'), entered('SendExcerpts')])).toBe(
      'approval',
    );
    expect(failedStep([{ type: 'ExecutionStarted' }])).toBe('proposal');
    expect(failedStep([entered('ResumeAt'), entered('SendCorrection'), entered('RecordFailure')])).toBe(
      'correction',
    );
  });
});

describe('upload', () => {
  it('reads a file and fields from multipart/form-data', () => {
    const body = Buffer.from(
      [
        '--B',
        'Content-Disposition: form-data; name="csrf"',
        '',
        'abc',
        '--B',
        'Content-Disposition: form-data; name="file"; filename="k.yaml"',
        'Content-Type: text/yaml',
        '',
        'id: x\nname: ä',
        '--B--',
        '',
      ].join('\r\n'),
    );
    const parts = parseMultipart(body, 'B');
    expect(parts.map((p) => [p.name, p.filename, p.content.toString('utf8')])).toEqual([
      ['csrf', undefined, 'abc'],
      ['file', 'k.yaml', 'id: x\nname: ä'],
    ]);
  });
});
