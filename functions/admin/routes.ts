/**
 * The admin console over HTTP: every request is authenticated and authorised here
 * first (auth.ts), then routed. Pages are HTML; /admin/api/… answers JSON. Nothing a
 * person sends can cause a 500: bad input is a 4xx page with the field at fault.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors.ts';
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
  startRoundAsAdmin,
} from '../use-cases/admin-actions.ts';
import { loadNomination } from '../use-cases/load.ts';
import {
  type AdminAuthSettings,
  csrfToken,
  ForbiddenError,
  type Principal,
  requireAdmin,
  SESSION_COOKIE,
  SESSION_SECONDS,
  sessionTokenOf,
  signInLocal,
  UnauthenticatedError,
} from './auth.ts';
import { boundaryOf, MalformedFormError, parseMultipart } from './multipart.ts';
import {
  ADMIN_BASE,
  type PageContext,
  paths,
  renderError,
  renderNomination,
  renderRound,
  renderRounds,
  renderSignIn,
  renderStartRound,
  type TimelineItem,
} from './pages.ts';
import { ADMIN_CSP } from './style.ts';
import {
  actionWords,
  attentionList,
  buildRows,
  matches,
  progressOf,
  STATUS_LABELS,
  waitingStep,
} from './view-model.ts';

/** A round file of a few hundred municipalities is well under this. */
export const MAX_BODY_BYTES = 1024 * 1024;

type Result = APIGatewayProxyStructuredResultV2;

const BASE_HEADERS: Record<string, string> = {
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'content-security-policy': ADMIN_CSP,
};

function page(
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

function redirect(location: string, cookies?: string[]): Result {
  return { statusCode: 303, headers: { ...BASE_HEADERS, location }, body: '', ...(cookies && { cookies }) };
}

class PayloadTooLargeError extends Error {
  override readonly name = 'PayloadTooLargeError';
}

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

function formOf(event: APIGatewayProxyEventV2): Form {
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

export interface AdminHttpDeps extends AdminDeps {
  auth: AdminAuthSettings;
}

interface Request {
  event: APIGatewayProxyEventV2;
  method: string;
  segments: string[];
  principal: Principal;
  ctx: PageContext;
  deps: AdminHttpDeps;
}

const MESSAGES: Record<string, string> = {
  started: 'Kierros on aloitettu. Pyynnöt lähtevät kunnille.',
  'already-started': 'Sama kierrostiedosto oli jo aloitettu: mitään uutta ei tehty.',
  resend: 'Uusi linkki on lähetetty. Aiempi linkki ei enää toimi.',
  extend: 'Määräaikaa on pidennetty.',
  cancel: 'Nimeäminen on peruttu.',
  retry: 'Epäonnistunut vaihe käynnistettiin uudelleen.',
  correct: 'Oikaistu päätös on kirjattu. Oikaistu pöytäkirjanote lähtee otteen saaneille.',
  'correct-repeat': 'Sama oikaistu päätös oli jo kirjattu: mitään uutta ei tehty.',
};

function notFound(ctx: PageContext): Result {
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
  return page(200, renderRounds(r.ctx, rounds, MESSAGES[r.event.queryStringParameters?.done ?? '']));
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
      MESSAGES[r.event.queryStringParameters?.done ?? ''],
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
  [/^(proposal|approval|decision)-(resend|substitute)/, 'Uusi linkki lähetetty'],
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
  const [wait, audit, mails] = await Promise.all([
    step ? deps.store.getWait(roundId, municipalityId, step) : undefined,
    deps.store.listAudit(roundId, municipalityId),
    deps.reads.listMail(roundId, municipalityId),
  ]);
  const now = deps.clock.now();
  const undelivered = mails.filter((m) =>
    ['bounced', 'complained', 'failed'].includes(m.deliveryState ?? m.status),
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
    MESSAGES[r.event.queryStringParameters?.done ?? ''],
  );
  return page(extra.status ?? 200, body);
}

function requireConfirm(fields: Record<string, string>) {
  if (fields.confirm !== 'yes') {
    throw new ValidationError([{ field: 'confirm', message: 'Vahvista toiminto rastittamalla ruutu.' }]);
  }
}

function checkCsrf(r: Request, fields: Record<string, string>) {
  if (r.deps.auth.mode !== 'local') return; // Cognito: bearer tokens are not sent by a browser on its own
  const token = sessionTokenOf(r.event) ?? '';
  if (fields.csrf !== csrfToken(r.deps.auth.credential.sessionSecret, token)) {
    throw new ForbiddenError('CSRF token mismatch');
  }
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
  const ref = { roundId, municipalityId };
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
      return nominationPage(r, roundId, municipalityId, {
        errors: [
          {
            field: 'confirm',
            message:
              action === 'correct'
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

async function startRoundAction(r: Request): Promise<Result> {
  const { fields, file } = formOf(r.event);
  checkCsrf(r, fields);
  try {
    requireConfirm(fields);
    const started = await startRoundAsAdmin(file?.text ?? '', r.principal.name, r.deps);
    return redirect(
      `${paths.round(started.round.id)}?done=${started.created ? 'started' : 'already-started'}`,
    );
  } catch (error) {
    if (error instanceof ValidationError) {
      return page(422, renderStartRound({ ...r.ctx, section: 'new' }, error.fieldErrors, file?.name));
    }
    if (error instanceof ConflictError || (error as Error).name === 'RoundAlreadyExistsError') {
      return page(
        409,
        renderStartRound(
          { ...r.ctx, section: 'new' },
          [{ field: 'id', message: (error as Error).message }],
          file?.name,
        ),
      );
    }
    throw error;
  }
}

async function route(r: Request): Promise<Result> {
  const get = r.method === 'GET' || r.method === 'HEAD';
  const api = r.segments[0] === 'api';
  const s = api ? r.segments.slice(1) : r.segments;
  if (api && !get) return json(405, { message: 'Method Not Allowed' });
  if (s.length === 0 && get) return roundsPage(r);
  if (s[0] === 'rounds') {
    if (s.length === 1 && get) return roundsPage(r);
    if (!api && s[1] === 'new' && s.length === 2) {
      return get ? page(200, renderStartRound(r.ctx)) : startRoundAction(r);
    }
    const roundId = s[1];
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

async function signIn(event: APIGatewayProxyEventV2, deps: AdminHttpDeps): Promise<Result> {
  if (deps.auth.mode !== 'local') {
    return page(
      200,
      renderError(
        {},
        200,
        'Kirjautuminen',
        'Kirjaudu organisaatiosi kirjautumispalvelussa (Cognito) ja avaa ylläpito sen jälkeen.',
      ),
    );
  }
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
  const next =
    fields.next?.startsWith(`${ADMIN_BASE}`) && !fields.next.startsWith('//') ? fields.next : ADMIN_BASE;
  return redirect(next, [sessionCookie(token)]);
}

export async function handleAdminRequest(
  event: APIGatewayProxyEventV2,
  deps: AdminHttpDeps,
): Promise<Result> {
  const path = event.rawPath ?? event.requestContext.http.path;
  const method = event.requestContext.http.method.toUpperCase();
  const segments = segmentsOf(path);
  const api = segments?.[0] === 'api';
  try {
    if (!segments) return notFound({});
    if (segments.length === 1 && segments[0] === 'sign-in') return await signIn(event, deps);
    if (segments.length === 1 && segments[0] === 'sign-out' && method === 'POST') {
      return redirect(paths.signIn(), [CLEAR_COOKIE]);
    }
    const principal = requireAdmin(event, deps.auth, deps.clock.now());
    const token = sessionTokenOf(event);
    const ctx: PageContext = {
      user: principal.name,
      csrf:
        deps.auth.mode === 'local' && token
          ? csrfToken(deps.auth.credential.sessionSecret, token)
          : undefined,
    };
    return await route({ event, method, segments, principal, ctx, deps });
  } catch (error) {
    if (error instanceof UnauthenticatedError) {
      if (api) return json(401, { message: 'Unauthorized' });
      return page(401, renderSignIn({ next: method === 'GET' ? path : undefined }), {
        'www-authenticate': 'Bearer realm="nimitys-admin"',
      });
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
    log.error('admin request failed', { error: (error as Error)?.name, message: (error as Error)?.message });
    if (api) return json(500, { message: 'Internal Server Error' });
    return page(500, renderError({}, 500, 'Palvelussa on häiriö', 'Yritä hetken kuluttua uudelleen.'));
  }
}
