/**
 * The admin console over HTTP: every request is authenticated and authorised here
 * first (auth.ts), then routed. Pages are HTML; /admin/api/… answers JSON. Nothing a
 * person sends can cause a 500: bad input is a 4xx page with the field at fault.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { NominationSearch } from '../domain/admin-ports.ts';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors.ts';
import { displayDateTimeFi } from '../domain/finnish.ts';
import type { Clock } from '../domain/ports.ts';
import { log } from '../shared/logger.ts';
import {
  type AdminDeps,
  cancelNomination,
  correctDecisionAsAdmin,
  extendDeadline,
  recordExport,
  resendLinkAsAdmin,
  retryFailedStep,
  roundCsv,
} from '../use-cases/admin-actions.ts';
import { loadNomination } from '../use-cases/load.ts';
import {
  ADMINS_GROUP,
  type AdminAuthSettings,
  type Authenticated,
  cookies,
  csrfFor,
  ForbiddenError,
  type Principal,
  requireAdmin,
  SESSION_COOKIE,
  SESSION_SECONDS,
  signInLocal,
  UnauthenticatedError,
  verifiedCognitoPrincipal,
} from './auth.ts';
import {
  authorizeUrl,
  type CognitoSettings,
  clearLoginCookie,
  exchangeCode,
  LOGIN_COOKIE,
  loginCookie,
  logoutUrl,
  newLogin,
  readLogin,
  safeNext,
  sameState,
  secureAttribute,
} from './cognito.ts';
import { boundaryOf, MalformedFormError, parseMultipart } from './multipart.ts';
import {
  ADMIN_BASE,
  type PageContext,
  paths,
  renderError,
  renderMessage,
  renderNomination,
  renderRound,
  renderRounds,
  renderSearch,
  renderSignIn,
  renderStartRound,
  type TimelineItem,
} from './pages.ts';
import { searchNominations } from './search.ts';
import { ADMIN_CSP } from './style.ts';
import {
  actionWords,
  attentionList,
  buildRows,
  linkOpenItem,
  matches,
  progressOf,
  STATUS_LABELS,
  waitingStep,
} from './view-model.ts';

/** A round file of a few hundred municipalities is well under this. */
export const MAX_BODY_BYTES = 1024 * 1024;

export type Result = APIGatewayProxyStructuredResultV2;

const BASE_HEADERS: Record<string, string> = {
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'content-security-policy': ADMIN_CSP,
};

export function page(
  statusCode: number,
  body: string,
  extra: Record<string, string> = {},
  cookies?: string[],
): Result {
  return {
    statusCode,
    headers: { ...BASE_HEADERS, 'content-type': 'text/html; charset=utf-8', ...extra },
    body,
    ...(cookies && { cookies }),
  };
}

function json(statusCode: number, value: unknown): Result {
  return {
    statusCode,
    headers: { ...BASE_HEADERS, 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(value),
  };
}

export function redirect(location: string, cookies?: string[]): Result {
  return { statusCode: 303, headers: { ...BASE_HEADERS, location }, body: '', ...(cookies && { cookies }) };
}

class PayloadTooLargeError extends Error {
  override readonly name = 'PayloadTooLargeError';
}

/** A form posted without this session's CSRF token: stale, or not from the console's own page. */
class CsrfError extends Error {
  override readonly name = 'CsrfError';
}

/** Round and municipality ids are the round file's slugs; anything else names nothing (and is never a key). */
const ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,79}$/;

function bodyOf(event: APIGatewayProxyEventV2): Buffer {
  const raw = event.body ?? '';
  const body = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (body.length > MAX_BODY_BYTES) throw new PayloadTooLargeError('Body too large');
  return body;
}

interface Form {
  fields: Record<string, string>;
  file?: { name: string; text: string };
}

export function formOf(event: APIGatewayProxyEventV2): Form {
  const body = bodyOf(event);
  const type = event.headers?.['content-type'] ?? '';
  if (/^multipart\/form-data/i.test(type)) {
    const boundary = boundaryOf(type);
    if (!boundary) throw new MalformedFormError('No boundary');
    const fields: Record<string, string> = {};
    let file: Form['file'];
    for (const part of parseMultipart(body, boundary)) {
      if (part.filename !== undefined) file = { name: part.filename, text: part.content.toString('utf8') };
      else fields[part.name] = part.content.toString('utf8');
    }
    return { fields, file };
  }
  const fields: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(body.toString('utf8'))) fields[name] = value;
  return { fields };
}

function sessionCookie(token: string): string {
  return `${SESSION_COOKIE}=${token}; Path=${ADMIN_BASE}; HttpOnly; SameSite=Strict; Max-Age=${SESSION_SECONDS}`;
}

const CLEAR_COOKIE = `${SESSION_COOKIE}=; Path=${ADMIN_BASE}; HttpOnly; SameSite=Strict; Max-Age=0`;

/**
 * The AWS session: the verified ID token, for as long as it is valid. SameSite=Lax, not
 * Strict: the callback is reached by a redirect from the hosted UI (another site), and a
 * Strict cookie set there would not be sent on the redirect that follows. Forms still
 * carry the CSRF token, and Lax keeps the cookie off other sites' POSTs.
 */
function cognitoSessionCookie(s: CognitoSettings, token: string, maxAge: number): string {
  return `${SESSION_COOKIE}=${token}; Path=${ADMIN_BASE}; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${secureAttribute(s.publicBaseUrl)}`;
}

function clearCognitoSession(s: CognitoSettings): string {
  return `${SESSION_COOKIE}=; Path=${ADMIN_BASE}; HttpOnly; SameSite=Lax; Max-Age=0${secureAttribute(s.publicBaseUrl)}`;
}

/** What signing in and checking a request's admin need. */
export interface AdminAuthDeps {
  auth: AdminAuthSettings;
  clock: Clock;
}

export interface AdminHttpDeps extends AdminDeps, AdminAuthDeps {
  search: NominationSearch;
}

/** An admin's request, authenticated and authorised, as a router gets it. */
export interface AdminRequest<D extends AdminAuthDeps = AdminHttpDeps> {
  event: APIGatewayProxyEventV2;
  method: string;
  /** The path under /admin, decoded: /admin/rounds/new → ["rounds", "new"]. */
  segments: string[];
  principal: Principal;
  /** How the principal was proven: forms posted with a cookie must carry the CSRF token. */
  authenticated: Authenticated;
  ctx: PageContext;
  deps: D;
}

type Request = AdminRequest;

/** Answers an authenticated admin's request (route below; start-round-route.ts). */
export type AdminRouter<D extends AdminAuthDeps> = (r: AdminRequest<D>) => Promise<Result>;

const MESSAGES: Record<string, string> = {
  started: 'Kierros on aloitettu. Pyynnöt lähtevät kunnille.',
  resend: 'Uusi linkki on lähetetty. Aiempi linkki ei enää toimi.',
  extend: 'Määräaikaa on pidennetty.',
  cancel: 'Nimeäminen on peruttu.',
  retry: 'Epäonnistunut vaihe käynnistettiin uudelleen.',
  correct: 'Oikaistu päätös on kirjattu. Oikaistu pöytäkirjanote lähtee otteen saaneille.',
  'correct-repeat': 'Sama oikaistu päätös oli jo kirjattu: mitään uutta ei tehty.',
};

/** The notice after an action (`?done=…`); own keys only, so `?done=constructor` shows nothing. */
function doneMessage(event: APIGatewayProxyEventV2): string | undefined {
  const done = event.queryStringParameters?.done ?? '';
  return Object.hasOwn(MESSAGES, done) ? MESSAGES[done] : undefined;
}

export function notFound(ctx: PageContext): Result {
  return page(404, renderError(ctx, 404, 'Sivua ei löydy', 'Tarkista osoite.'));
}

// ---------------------------------------------------------------------------------

async function roundsPage(r: Request): Promise<Result> {
  const { deps } = r;
  const stored = await deps.reads.listRounds();
  const rounds = await Promise.all(
    stored.map(async (s) => {
      const [nominations, groups] = await Promise.all([
        deps.store.listNominations(s.round.id),
        deps.reads.listGroups(s.round.id),
      ]);
      const active = groups.filter((g) => g.status === 'active').length;
      return { stored: s, progress: progressOf(s.round, nominations, active) };
    }),
  );
  if (r.segments[0] === 'api')
    return json(200, {
      rounds: rounds.map((x) => ({
        id: x.stored.round.id,
        title: x.stored.round.title,
        status: x.stored.status,
        ...x.progress,
      })),
    });
  return page(200, renderRounds(r.ctx, rounds, doneMessage(r.event)));
}

export async function loadRoundView(deps: AdminDeps, roundId: string, now: Date) {
  const [stored, nominations, waits, undelivered, groups] = await Promise.all([
    deps.store.getRound(roundId),
    deps.store.listNominations(roundId),
    deps.reads.listWaits(roundId),
    deps.reads.listUndeliveredMail(roundId),
    deps.reads.listGroups(roundId),
  ]);
  if (!stored) throw new NotFoundError(`Round ${roundId} not found`);
  const rows = buildRows(stored.round, nominations, waits, now, undelivered);
  const active = groups.filter((g) => g.status === 'active').length;
  return { stored, groups, rows, progress: progressOf(stored.round, nominations, active) };
}

async function roundPage(r: Request, roundId: string, api: boolean): Promise<Result> {
  const now = r.deps.clock.now();
  const view = await loadRoundView(r.deps, roundId, now);
  const query = (r.event.queryStringParameters?.q ?? '').slice(0, 200);
  const status = r.event.queryStringParameters?.status ?? '';
  const shown = view.rows.filter(
    (row) => matches(row, query) && (status === '' || row.nomination.status === status),
  );
  if (api) {
    return json(200, {
      round: { id: view.stored.round.id, title: view.stored.round.title, status: view.stored.status },
      progress: view.progress,
      nominations: shown.map((row) => ({
        municipalityId: row.municipality.id,
        municipality: row.municipality.name,
        group: row.groupName,
        status: row.nomination.status,
        state: row.stateText,
        waitingSince: row.waitingSince,
        deadline: row.deadline,
        daysLeft: row.daysLeft,
        attention: row.attention,
      })),
    });
  }
  return page(
    200,
    renderRound(
      r.ctx,
      {
        ...view,
        rows: shown,
        attention: attentionList(view.rows),
        query,
        status,
        total: view.rows.length,
        now,
      },
      doneMessage(r.event),
    ),
  );
}

async function csvExport(r: Request, roundId: string): Promise<Result> {
  const view = await loadRoundView(r.deps, roundId, r.deps.clock.now());
  const csv = roundCsv(
    view.rows.map((row) => ({
      roundId,
      groupName: row.groupName,
      municipalityName: row.municipality.name,
      statusLabel: STATUS_LABELS[row.nomination.status],
      stateText: row.stateText,
      deadline: row.deadline,
      nomination: row.nomination,
      preparer: row.municipality.preparer,
      presenter: row.municipality.presenter,
      bodyName: row.municipality.body.name,
    })),
  );
  await recordExport(roundId, r.principal.name, r.deps);
  const safeName = roundId.replace(/[^A-Za-z0-9_-]/g, '_');
  return {
    statusCode: 200,
    headers: {
      ...BASE_HEADERS,
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${safeName}.csv"`,
    },
    body: csv,
  };
}

const MAIL_WORDS: Array<[RegExp, string]> = [
  [/^proposal-request/, 'Ehdotuspyyntö lähetetty'],
  [/^approval-request/, 'Hyväksyntäpyyntö lähetetty'],
  [/^decision-request/, 'Päätöksen kirjauspyyntö lähetetty'],
  [/^minute_check-request/, 'Pöytäkirjan tarkastuspyyntö lähetetty'],
  [/^(proposal|approval|decision|minute_check)-(resend|substitute)/, 'Uusi linkki lähetetty'],
  [/^excerpt(-copy)?-corrected-/, 'Oikaistu pöytäkirjanote lähetetty'],
  [/^excerpt-copy/, 'Pöytäkirjanote lähetetty tiedoksi'],
  [/^excerpt/, 'Pöytäkirjanote lähetetty'],
  [/^no-answer/, 'Ilmoitus vastaamatta jääneestä lähetetty'],
  [/reminder/, 'Muistutus lähetetty'],
];

function mailWords(purpose: string): string {
  return MAIL_WORDS.find(([re]) => re.test(purpose))?.[1] ?? `Viesti lähetetty (${purpose})`;
}

async function nominationPage(
  r: Request,
  roundId: string,
  municipalityId: string,
  extra: {
    errors?: ValidationError['fieldErrors'];
    errorAction?: string;
    values?: Record<string, string>;
    status?: number;
  } = {},
): Promise<Result> {
  const { deps } = r;
  const ctx = await loadNomination(deps.store, roundId, municipalityId);
  const step = waitingStep(ctx.nomination.status);
  const [wait, audit, mails, opens] = await Promise.all([
    step ? deps.store.getWait(roundId, municipalityId, step) : undefined,
    deps.store.listAudit(roundId, municipalityId),
    deps.reads.listMail(roundId, municipalityId),
    deps.reads.listLinkOpens(roundId, municipalityId),
  ]);
  const now = deps.clock.now();
  const undelivered = mails.filter(
    (m) =>
      m.status === 'retrying' || ['bounced', 'complained', 'failed'].includes(m.deliveryState ?? m.status),
  );
  const [row] = buildRows(ctx.round, [ctx.nomination], wait ? [wait] : [], now, undelivered);
  if (!row) throw new NotFoundError(`Municipality ${municipalityId} not in round`);
  const base = deps.executions.nameOf(roundId, municipalityId);
  const retries = audit.filter((a) => a.action === 'retry-started').length;
  const corrections = ctx.nomination.previousDecisions?.length ?? 0;
  const executions = [
    base,
    ...Array.from({ length: retries }, (_, i) => `${base}-retry-${i + 1}`),
    ...Array.from({ length: corrections }, (_, i) => `${base}-correction-${i + 1}`),
  ];
  const history = await Promise.all(
    executions.map(async (execution) => ({ execution, events: await deps.executions.history(execution) })),
  );
  const n = ctx.nomination;
  const timeline: TimelineItem[] = [
    ...opens.map(linkOpenItem),
    ...mails
      .filter((m) => m.sentAt)
      .map((m) => ({ at: m.sentAt as string, text: `${mailWords(m.purpose)}: ${m.recipient}` })),
    ...(n.proposal
      ? [{ at: n.proposal.submittedAt, text: `Ehdotus jätetty (${n.proposal.submittedBy})` }]
      : []),
    ...(n.approval
      ? [{ at: n.approval.approvedAt, text: `Esittelijä hyväksyi ehdotuksen (${n.approval.approvedBy})` }]
      : []),
    ...[...(n.previousDecisions ?? []), ...(n.decision ? [n.decision] : [])].map((d, i) => ({
      at: d.decidedAt,
      text: `${i === 0 ? 'Päätös' : 'Oikaistu päätös'} kirjattu: kokous ${d.meetingDate} § ${d.section}`,
    })),
    ...audit
      .filter((a) => !a.action.endsWith('-submitted'))
      .map((a) => ({
        at: a.at,
        text: `${actionWords(a.action)}${a.detail ? `: ${a.detail}` : ''} (${a.actor})`,
      })),
  ].sort((a, b) => a.at.localeCompare(b.at));
  const body = renderNomination(
    r.ctx,
    {
      round: ctx.round,
      municipality: ctx.municipality,
      groupName: ctx.group.name,
      nomination: n,
      row,
      timeline,
      history,
      mails,
      audit,
      ...extra,
    },
    doneMessage(r.event),
  );
  return page(extra.status ?? 200, body);
}

/**
 * What changed a nomination since the version an admin's form showed, in words (who did
 * what, when), or undefined when nothing did. The winner of a race records its audit entry
 * just after its write: a few short re-reads give it the time to land.
 */
async function changedSince(
  deps: AdminDeps,
  roundId: string,
  municipalityId: string,
  seen: number | undefined,
): Promise<string | undefined> {
  if (seen === undefined) return undefined;
  for (let attempt = 0; ; attempt++) {
    const nomination = await deps.store.getNomination(roundId, municipalityId);
    if (!nomination || nomination.version === seen) return undefined;
    const latest = (await deps.store.listAudit(roundId, municipalityId))
      .filter((a) => a.at >= nomination.updatedAt)
      .sort((a, b) => a.at.localeCompare(b.at))
      .at(-1);
    if (latest) {
      const detail = latest.detail ? `: ${latest.detail}` : '';
      return `${actionWords(latest.action)}${detail} (${latest.actor}, ${displayDateTimeFi(latest.at)})`;
    }
    if (attempt >= 4) {
      const cancelled = nomination.cancelled;
      return cancelled
        ? `Nimeäminen peruttu: ${cancelled.reason} (${cancelled.by}, ${displayDateTimeFi(cancelled.at)})`
        : `Tila nyt: ${STATUS_LABELS[nomination.status]} (muutettu ${displayDateTimeFi(nomination.updatedAt)})`;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function requireConfirm(fields: Record<string, string>) {
  if (fields.confirm !== 'yes') {
    throw new ValidationError([{ field: 'confirm', message: 'Vahvista toiminto rastittamalla ruutu.' }]);
  }
}

/** A form posted with the session cookie must carry its CSRF token (a bearer token is never sent on its own). */
export function checkCsrf(r: AdminRequest<AdminAuthDeps>, fields: Record<string, string>) {
  const { via, token } = r.authenticated;
  if (via !== 'cookie') return;
  if (!token || fields.csrf !== csrfFor(r.deps.auth, token)) throw new CsrfError('CSRF token mismatch');
}

async function nominationAction(
  r: Request,
  roundId: string,
  municipalityId: string,
  action: string,
): Promise<Result> {
  const { fields } = formOf(r.event);
  checkCsrf(r, fields);
  const actor = r.principal.name;
  // The version of the nomination the admin's page showed (every action form carries it).
  const expectedVersion = /^\d{1,9}$/.test(fields.version ?? '') ? Number(fields.version) : undefined;
  const ref = { roundId, municipalityId, expectedVersion };
  let done = action;
  try {
    requireConfirm(fields);
    switch (action) {
      case 'resend':
        await resendLinkAsAdmin({ ...ref, step: fields.step ?? '' }, actor, r.deps);
        break;
      case 'extend':
        await extendDeadline({ ...ref, deadline: fields.deadline ?? '' }, actor, r.deps);
        break;
      case 'cancel':
        await cancelNomination({ ...ref, reason: fields.reason ?? '' }, actor, r.deps);
        break;
      case 'retry':
        await retryFailedStep(ref, actor, r.deps);
        break;
      case 'correct': {
        const result = await correctDecisionAsAdmin({ ...ref, fields }, actor, r.deps);
        if (!result.changed) done = 'correct-repeat';
        break;
      }
      default:
        return notFound(r.ctx);
    }
  } catch (error) {
    if (error instanceof ValidationError) {
      return nominationPage(r, roundId, municipalityId, {
        errors: error.fieldErrors,
        errorAction: action,
        values: fields,
        status: 422,
      });
    }
    if (error instanceof ConflictError) {
      const meanwhile = await changedSince(r.deps, roundId, municipalityId, expectedVersion);
      return nominationPage(r, roundId, municipalityId, {
        errors: [
          {
            field: 'confirm',
            message: meanwhile
              ? `Toimintoa ei tehty: nimeämistä muutettiin sillä välin, kun sivu oli auki. ${meanwhile}. ` +
                'Tarkista tilanne alta ja tee toiminto tarvittaessa uudelleen.'
              : action === 'correct'
                ? `${error.message} Lataa sivu uudelleen.`
                : 'Toimintoa ei voi enää tehdä: nimeämisen tila on muuttunut. Lataa sivu uudelleen.',
          },
        ],
        errorAction: action,
        status: 409,
      });
    }
    throw error;
  }
  return redirect(`${paths.nomination(roundId, municipalityId)}?done=${done}`);
}

/** GET /admin/haku?q=…&status=…: across every round, from the search index (search.ts). */
async function searchPage(r: Request, api: boolean): Promise<Result> {
  const input = { query: r.event.queryStringParameters?.q, status: r.event.queryStringParameters?.status };
  try {
    const outcome = await searchNominations(input, r.deps);
    if (api) {
      return json(200, {
        query: outcome.query,
        status: outcome.status,
        more: outcome.more,
        results: outcome.hits.map((h) => ({
          roundId: h.stored.round.id,
          round: h.stored.round.title,
          municipalityId: h.row.municipality.id,
          municipality: h.row.municipality.name,
          status: h.row.nomination.status,
          state: h.row.stateText,
          matched: h.matched,
          href: paths.nomination(h.stored.round.id, h.row.municipality.id),
        })),
      });
    }
    return page(200, renderSearch(r.ctx, outcome));
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    if (api) return json(422, { message: error.message, errors: error.fieldErrors });
    const empty = { query: input.query ?? '', status: '' as const, searched: false, hits: [], more: false };
    return page(422, renderSearch(r.ctx, empty, error.fieldErrors));
  }
}

async function route(r: Request): Promise<Result> {
  const get = r.method === 'GET' || r.method === 'HEAD';
  const api = r.segments[0] === 'api';
  const s = api ? r.segments.slice(1) : r.segments;
  if (api && !get) return json(405, { message: 'Method Not Allowed' });
  if (s.length === 0 && get) return roundsPage(r);
  if (s[0] === 'haku' && s.length === 1 && get) return searchPage(r, api);
  if (s[0] === 'rounds') {
    if (s.length === 1 && get) return roundsPage(r);
    // The form; its POST goes to a function of its own (start-round-route.ts), which alone
    // carries the round-file parser.
    if (!api && s[1] === 'new' && s.length === 2 && get) return page(200, renderStartRound(r.ctx));
    const roundId = s[1];
    if ([roundId, s[2] === 'm' ? s[3] : undefined].some((id) => id !== undefined && !ID_PATTERN.test(id))) {
      return api ? json(404, { message: 'Not Found' }) : notFound(r.ctx);
    }
    if (roundId && s.length === 2 && get) return roundPage(r, roundId, api);
    if (!api && roundId && s[2] === 'export.csv' && s.length === 3 && get) return csvExport(r, roundId);
    if (!api && roundId && s[2] === 'm' && s[3]) {
      if (s.length === 4 && get) return nominationPage(r, roundId, s[3]);
      if (s.length === 5 && r.method === 'POST' && s[4]) return nominationAction(r, roundId, s[3], s[4]);
    }
  }
  return api ? json(404, { message: 'Not Found' }) : notFound(r.ctx);
}

// ---------------------------------------------------------------------------------
// Entry

function segmentsOf(path: string): string[] | undefined {
  if (path !== ADMIN_BASE && !path.startsWith(`${ADMIN_BASE}/`)) return undefined;
  try {
    return path
      .slice(ADMIN_BASE.length)
      .split('/')
      .filter((s) => s !== '')
      .map((s) => decodeURIComponent(s));
  } catch {
    return undefined;
  }
}

async function signIn(event: APIGatewayProxyEventV2, deps: AdminAuthDeps): Promise<Result> {
  // On AWS the sign-in is Cognito's hosted UI: this address just leads there.
  if (deps.auth.mode !== 'local') return redirect(paths.cognitoSignIn(event.queryStringParameters?.next));
  const method = event.requestContext.http.method.toUpperCase();
  if (method !== 'POST') return page(200, renderSignIn({ next: event.queryStringParameters?.next }));
  const { fields } = formOf(event);
  const token = signInLocal(
    deps.auth.credential,
    fields.username ?? '',
    fields.password ?? '',
    deps.clock.now(),
  );
  if (!token) {
    return page(
      401,
      renderSignIn({ error: 'Käyttäjätunnus tai salasana on väärin.', username: fields.username }),
    );
  }
  return redirect(safeNext(fields.next), [sessionCookie(token)]);
}

const SIGN_IN_AGAIN = { href: paths.cognitoSignIn(), text: 'Kirjaudu uudelleen' };

/**
 * The Cognito sign-in (cognito.ts): /admin/kirjaudu starts it, …/callback finishes it,
 * …/ulos is where the hosted UI's sign-out returns. Locally these lead to the local form.
 */
async function cognitoSignIn(
  event: APIGatewayProxyEventV2,
  step: string | undefined,
  deps: AdminAuthDeps,
): Promise<Result> {
  const query = event.queryStringParameters ?? {};
  if (deps.auth.mode !== 'cognito')
    return redirect(`${paths.signIn()}${query.next ? `?next=${encodeURIComponent(query.next)}` : ''}`);
  const s = deps.auth.cognito;
  const now = deps.clock.now();
  if (step === undefined) {
    const login = newLogin(query.next, now);
    return redirect(authorizeUrl(s, login), [loginCookie(s, login)]);
  }
  if (step === 'ulos') {
    return page(
      200,
      renderMessage('Olet kirjautunut ulos', 'Istuntosi ylläpidossa on päättynyt.', SIGN_IN_AGAIN),
    );
  }
  if (step !== 'callback') return notFound({});
  const refuse = (status: number, title: string, message: string) =>
    page(status, renderMessage(title, message, SIGN_IN_AGAIN, status), {}, [clearLoginCookie(s)]);
  if (query.error) {
    return refuse(401, 'Kirjautuminen keskeytyi', 'Kirjautumispalvelu ei kirjannut sinua sisään.');
  }
  const login = readLogin(cookies(event)[LOGIN_COOKIE], now);
  if (!login || !query.code || !sameState(login.state, query.state)) {
    return refuse(400, 'Kirjautuminen vanheni', 'Kirjautuminen ei ollut enää voimassa. Aloita se uudelleen.');
  }
  let idToken: string;
  try {
    idToken = await exchangeCode(s, query.code, login.verifier);
  } catch (error) {
    log.warn('admin sign-in: code not exchanged', {
      error: (error as Error)?.name,
      errorMessage: (error as Error)?.message,
    });
    return refuse(401, 'Kirjautuminen epäonnistui', 'Kirjautumista ei voitu vahvistaa. Yritä uudelleen.');
  }
  const principal = await verifiedCognitoPrincipal(idToken, s, now, 'id', login.nonce);
  if (!principal) {
    return refuse(401, 'Kirjautuminen epäonnistui', 'Kirjautumista ei voitu vahvistaa. Yritä uudelleen.');
  }
  if (!principal.groups.includes(ADMINS_GROUP)) {
    log.info('admin sign-in: not in the admins group');
    return refuse(403, 'Ei käyttöoikeutta', 'Tunnuksellasi ei ole ylläpidon oikeuksia.');
  }
  const exp = (
    JSON.parse(Buffer.from(idToken.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp: number }
  ).exp;
  const maxAge = Math.max(0, exp - Math.floor(now.getTime() / 1000));
  return redirect(login.next, [cognitoSessionCookie(s, idToken, maxAge), clearLoginCookie(s)]);
}

function signOut(deps: AdminAuthDeps): Result {
  if (deps.auth.mode === 'local') return redirect(paths.signIn(), [CLEAR_COOKIE]);
  // The hosted UI keeps a session of its own: sign out there too; it returns to /admin/kirjaudu/ulos.
  return redirect(logoutUrl(deps.auth.cognito), [clearCognitoSession(deps.auth.cognito)]);
}

/** On AWS the sign-out form's redirect ends at the hosted UI: the page's form-action must allow it. */
function withCsp(result: Result, auth: AdminAuthSettings): Result {
  if (auth.mode !== 'cognito' || !result.headers) return result;
  const origin = new URL(auth.cognito.domain).origin;
  const csp = ADMIN_CSP.replace("form-action 'self'", `form-action 'self' ${origin}`);
  return { ...result, headers: { ...result.headers, 'content-security-policy': csp } };
}

/**
 * The sign-in's own pages, before any authentication: the local form (/admin/sign-in), the
 * sign-out, and the Cognito sign-in and its callback (/admin/kirjaudu/…).
 */
function signInPages(
  event: APIGatewayProxyEventV2,
  segments: string[],
  method: string,
  deps: AdminAuthDeps,
): Promise<Result> | undefined {
  if (segments.length === 1 && segments[0] === 'sign-in') return signIn(event, deps);
  if (segments.length === 1 && segments[0] === 'sign-out' && method === 'POST')
    return Promise.resolve(signOut(deps));
  if (segments[0] === 'kirjaudu' && segments.length <= 2 && (method === 'GET' || method === 'HEAD')) {
    return cognitoSignIn(event, segments[1], deps);
  }
  return undefined;
}

/** The console (admin-api.ts): the sign-in, every page and every action but starting a round. */
export async function handleAdminRequest(
  event: APIGatewayProxyEventV2,
  deps: AdminHttpDeps,
): Promise<Result> {
  return withCsp(await handle(event, deps, route, signInPages), deps.auth);
}

/**
 * One of the console's routes served by a function of its own (start-round-route.ts):
 * authenticates and authorises as the console does, then lets `router` answer; every error
 * becomes a page. No sign-in pages: API Gateway sends those to the console.
 */
export async function serveAdmin<D extends AdminAuthDeps>(
  event: APIGatewayProxyEventV2,
  deps: D,
  router: AdminRouter<D>,
): Promise<Result> {
  return withCsp(await handle(event, deps, router), deps.auth);
}

async function handle<D extends AdminAuthDeps>(
  event: APIGatewayProxyEventV2,
  deps: D,
  router: AdminRouter<D>,
  signInPage?: typeof signInPages,
): Promise<Result> {
  const path = event.rawPath ?? event.requestContext.http.path;
  const method = event.requestContext.http.method.toUpperCase();
  const segments = segmentsOf(path);
  const api = segments?.[0] === 'api';
  try {
    if (!segments) return notFound({});
    const signInResult = signInPage?.(event, segments, method, deps);
    if (signInResult) return await signInResult;
    const authenticated = await requireAdmin(event, deps.auth, deps.clock.now());
    const { principal, via, token } = authenticated;
    const ctx: PageContext = {
      user: principal.name,
      csrf: via === 'cookie' && token ? csrfFor(deps.auth, token) : undefined,
    };
    return await router({ event, method, segments, principal, authenticated, ctx, deps });
  } catch (error) {
    if (error instanceof UnauthenticatedError) {
      if (api) return json(401, { message: 'Unauthorized' });
      const next =
        method === 'GET' ? `${path}${event.rawQueryString ? `?${event.rawQueryString}` : ''}` : undefined;
      // A browser on AWS goes to the hosted UI; it comes back here after signing in.
      if (deps.auth.mode === 'cognito' && method === 'GET') return redirect(paths.cognitoSignIn(next));
      const body =
        deps.auth.mode === 'cognito'
          ? renderMessage(
              'Kirjaudu ylläpitoon',
              'Istuntosi on päättynyt tai et ole kirjautunut.',
              {
                href: paths.cognitoSignIn(),
                text: 'Kirjaudu',
              },
              401,
            )
          : renderSignIn({ next });
      return page(401, body, { 'www-authenticate': 'Bearer realm="nimitys-admin"' });
    }
    if (error instanceof CsrfError) {
      return page(
        403,
        renderError(
          {},
          403,
          'Lomaketta ei voitu käsitellä',
          'Lomake on vanhentunut tai se ei tullut tämän istunnon sivulta. Lataa sivu uudelleen ja yritä uudestaan.',
        ),
      );
    }
    if (error instanceof ForbiddenError) {
      if (api) return json(403, { message: 'Forbidden' });
      return page(
        403,
        renderError({}, 403, 'Ei käyttöoikeutta', 'Tunnuksellasi ei ole ylläpidon oikeuksia.'),
      );
    }
    if (error instanceof NotFoundError) return api ? json(404, { message: 'Not Found' }) : notFound({});
    if (error instanceof PayloadTooLargeError) {
      return page(413, renderError({}, 413, 'Liian suuri tiedosto', 'Tiedosto saa olla enintään 1 Mt.'));
    }
    if (error instanceof MalformedFormError) {
      return page(400, renderError({}, 400, 'Virheellinen lomake', 'Lähetä lomake uudelleen.'));
    }
    log.error('admin request failed', {
      error: (error as Error)?.name,
      errorMessage: (error as Error)?.message,
    });
    if (api) return json(500, { message: 'Internal Server Error' });
    return page(500, renderError({}, 500, 'Palvelussa on häiriö', 'Yritä hetken kuluttua uudelleen.'));
  }
}
