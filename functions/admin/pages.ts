/**
 * The admin console's pages: server-rendered, Finnish, no script, no external resources.
 * Every value goes through the `html` tag (escaped); `raw` only for the constant style.
 * Every action is a form that posts back with the session's CSRF token and a
 * confirmation checkbox the server checks.
 */
import type { ExecutionEvent } from '../domain/admin-ports.ts';
import type { FieldError } from '../domain/errors.ts';
import { displayDateFi, displayDateTimeFi } from '../domain/finnish.ts';
import { LIMITS, NOMINEE_PARTS, NOMINEES_FIELD, type NomineePart, nomineeField } from '../domain/forms.ts';
import { html, raw, type SafeHtml } from '../domain/html.ts';
import type { AuditEntry, OutboxRecord, StoredRound } from '../domain/ports.ts';
import type { GroupState, Municipality, Nomination, Person, Round } from '../domain/types.ts';
import type { SearchOutcome } from './search.ts';
import { ADMIN_STYLE } from './style.ts';
import {
  actionWords,
  type NominationRow,
  type Progress,
  STATUS_FILTERS,
  STATUS_LABELS,
  waitingStep,
} from './view-model.ts';

export const ADMIN_BASE = '/admin';
/** The round upload form's address; its POST is served by admin-start-round.ts (infra/admin-console.ts). */
export const START_ROUND_PATH = `${ADMIN_BASE}/rounds/new`;

export interface PageContext {
  /** Who is signed in (shown in the header); absent on the sign-in page. */
  user?: string;
  /** The session's CSRF token, for the forms. */
  csrf?: string;
  /** Which top-level section is current. */
  section?: 'rounds' | 'new' | 'search';
}

function enc(s: string): string {
  return encodeURIComponent(s);
}

export const paths = {
  rounds: () => ADMIN_BASE,
  newRound: () => START_ROUND_PATH,
  round: (roundId: string) => `${ADMIN_BASE}/rounds/${enc(roundId)}`,
  csv: (roundId: string) => `${ADMIN_BASE}/rounds/${enc(roundId)}/export.csv`,
  nomination: (roundId: string, municipalityId: string) =>
    `${ADMIN_BASE}/rounds/${enc(roundId)}/m/${enc(municipalityId)}`,
  action: (roundId: string, municipalityId: string, action: string) =>
    `${ADMIN_BASE}/rounds/${enc(roundId)}/m/${enc(municipalityId)}/${action}`,
  search: () => `${ADMIN_BASE}/haku`,
  signIn: () => `${ADMIN_BASE}/sign-in`,
  /** The Cognito sign-in (AWS): to the hosted UI and back. */
  cognitoSignIn: (next?: string) => `${ADMIN_BASE}/kirjaudu${next ? `?next=${enc(next)}` : ''}`,
  signOut: () => `${ADMIN_BASE}/sign-out`,
};

function csrfField(ctx: PageContext): SafeHtml {
  return html`<input type="hidden" name="csrf" value="${ctx.csrf ?? ''}">`;
}

function layout(ctx: PageContext, title: string, body: SafeHtml, errors?: FieldError[]): string {
  const nav =
    ctx.user &&
    html`<nav aria-label="Päävalikko"><ul>
<li><a href="${paths.rounds()}"${ctx.section === 'rounds' ? raw(' aria-current="page"') : ''}>Kierrokset</a></li>
<li><a href="${paths.newRound()}"${ctx.section === 'new' ? raw(' aria-current="page"') : ''}>Aloita kierros</a></li>
<li><a href="${paths.search()}"${ctx.section === 'search' ? raw(' aria-current="page"') : ''}>Haku</a></li>
<li><span class="muted">${ctx.user}</span></li>
<li><form method="post" action="${paths.signOut()}">${csrfField(ctx)}<button class="link" type="submit">Kirjaudu ulos</button></form></li>
</ul></nav>`;
  return html`<!doctype html>
<html lang="fi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex, nofollow">
<title>${errors?.length ? 'Virhe: ' : ''}${title} – Nimitys ylläpito</title>
<style>${raw(ADMIN_STYLE)}</style>
</head>
<body>
<header class="top"><div class="top-inner">
<a class="brand" href="${paths.rounds()}">Nimitys – ylläpito</a>
${nav}
</div></header>
<main id="sisalto">
${body}
</main>
</body>
</html>
`.toString();
}

function errorSummary(errors: FieldError[] | undefined): SafeHtml | undefined {
  if (!errors?.length) return undefined;
  return html`<div class="error-summary" role="alert" aria-labelledby="virheet-otsikko" tabindex="-1">
<h2 id="virheet-otsikko">Tarkista seuraavat kohdat</h2>
<ul>${errors.map((e) => html`<li><a href="#${fieldId(e.field)}">${e.field}: ${e.message}</a></li>`)}</ul>
</div>`;
}

/** Field ids: letters, digits and hyphens ("municipalities[3].name" → "f-municipalities-3-name"). */
export function fieldId(field: string): string {
  return `f-${field.replace(/[^A-Za-z0-9]+/g, '-').replace(/-$/, '')}`;
}

function fieldErrorsFor(errors: FieldError[] | undefined, field: string): SafeHtml | undefined {
  const mine = errors?.filter((e) => e.field === field) ?? [];
  if (mine.length === 0) return undefined;
  return html`<p class="field-error" id="${fieldId(field)}-error"><span class="visually-hidden">Virhe: </span>${mine.map((e) => e.message).join(' ')}</p>`;
}

function confirmBox(id: string, text: string, errors?: FieldError[]): SafeHtml {
  const invalid = errors?.some((e) => e.field === 'confirm');
  return html`<div class="confirm"><input type="checkbox" id="${id}" name="confirm" value="yes" required${
    invalid ? raw(' aria-invalid="true"') : ''
  }><label for="${id}">${text}</label></div>`;
}

export function notice(message: string | undefined): SafeHtml | undefined {
  return message ? html`<div class="notice" role="status"><p>${message}</p></div>` : undefined;
}

// ---------------------------------------------------------------------------------

export function renderSignIn(opts: { error?: string; username?: string; next?: string }): string {
  const body = html`<h1>Kirjaudu ylläpitoon</h1>
${
  opts.error &&
  html`<div class="error-summary" role="alert"><p id="kirjautuminen-virhe">${opts.error}</p></div>`
}
<form class="panel" method="post" action="${paths.signIn()}">
<input type="hidden" name="next" value="${opts.next ?? ''}">
<div class="field"><label for="username">Käyttäjätunnus</label>
<input type="text" id="username" name="username" autocomplete="username" required value="${opts.username ?? ''}"></div>
<div class="field"><label for="password">Salasana</label>
<input type="password" id="password" name="password" autocomplete="current-password" required></div>
<button type="submit">Kirjaudu</button>
</form>
<p class="muted">Kuntien viranhaltijat eivät kirjaudu: he toimivat sähköpostilla saamiensa linkkien kautta.</p>`;
  return layout({}, 'Kirjaudu', body);
}

/** A page that only says something and offers one way on (the sign-in's outcomes). */
export function renderMessage(
  title: string,
  message: string,
  link: { href: string; text: string },
  status?: number,
): string {
  return layout(
    {},
    title,
    html`<h1>${title}</h1><p>${message}</p>${status ? html`<p class="muted">Virhekoodi ${status}</p>` : ''}
<p><a class="button" href="${link.href}">${link.text}</a></p>`,
  );
}

export function renderError(ctx: PageContext, status: number, title: string, message: string): string {
  return layout(
    ctx,
    title,
    html`<h1>${title}</h1><p>${message}</p><p class="muted">Virhekoodi ${status}</p>
<p><a href="${paths.rounds()}">Kierrokset</a></p>`,
  );
}

function stats(p: Progress): SafeHtml {
  const item = (value: number, label: string) => html`<li><strong>${value}</strong> ${label}</li>`;
  return html`<ul class="stats" aria-label="Eteneminen">
${item(p.municipalities, 'kuntaa')}
${item(p.answered, 'vastannut')}
${item(p.decided, 'päättänyt')}
${item(p.waiting, 'odottaa')}
${item(p.noAnswer, 'ei vastausta')}
${item(p.failed, 'virhettä')}
${item(p.groupsActive, `/ ${p.groups} ryhmää aktiivisena`)}
</ul>`;
}

export function renderRounds(
  ctx: PageContext,
  rounds: Array<{ stored: StoredRound; progress: Progress }>,
  message?: string,
): string {
  const STATUS = { running: 'Käynnissä', activating: 'Ryhmät aloittamassa', completed: 'Päättynyt' } as const;
  const body = html`<h1>Kierrokset</h1>
${notice(message)}
${
  rounds.length === 0
    ? html`<p>Kierroksia ei ole vielä. <a href="${paths.newRound()}">Aloita kierros</a> lataamalla kierrostiedosto.</p>`
    : html`<div class="table-wrap" role="region" aria-labelledby="kierrokset-otsikko" tabindex="0">
<table>
<caption id="kierrokset-otsikko">Kaikki kierrokset, uusin ensin</caption>
<thead><tr><th scope="col">Kierros</th><th scope="col">Tila</th><th scope="col" class="num">Kuntia</th><th scope="col" class="num">Vastannut</th><th scope="col" class="num">Päättänyt</th><th scope="col" class="num">Ei vastausta</th><th scope="col">Ryhmiä aktiivisena</th><th scope="col">Pyyntö</th><th scope="col">Määräaika</th><th scope="col">Ryhmät alkavat</th></tr></thead>
<tbody>
${rounds.map(
  ({ stored, progress: p }) => html`<tr>
<th scope="row"><a href="${paths.round(stored.round.id)}">${stored.round.title}</a><br><span class="muted">${stored.round.id}</span></th>
<td>${STATUS[stored.status] ?? stored.status}</td>
<td class="num">${p.municipalities}</td><td class="num">${p.answered}</td><td class="num">${p.decided}</td><td class="num">${p.noAnswer}</td>
<td>${p.groupsActive} / ${p.groups}</td>
<td>${displayDateFi(stored.round.requestDate)}</td><td>${displayDateFi(stored.round.deadline)}</td><td>${displayDateFi(stored.round.startDate)}</td>
</tr>
`,
)}</tbody></table></div>`
}`;
  return layout({ ...ctx, section: 'rounds' }, 'Kierrokset', body);
}

function tag(row: NominationRow): SafeHtml {
  if (row.attention === 'failed') return html`<span class="tag tag-failed">Virhe</span>`;
  if (row.attention === 'bounced') return html`<span class="tag tag-failed">Viesti palautui</span>`;
  if (row.attention === 'delayed') return html`<span class="tag tag-overdue">Viesti viivästynyt</span>`;
  if (row.attention === 'overdue') return html`<span class="tag tag-overdue">Myöhässä</span>`;
  if (row.attention === 'no_answer') return html`<span class="tag tag-no_answer">Ei vastausta</span>`;
  return html`<span class="tag tag-ok">${STATUS_LABELS[row.nomination.status]}</span>`;
}

function daysText(row: NominationRow): string {
  if (!waitingStep(row.nomination.status) && row.nomination.status !== 'pending') return '–';
  if (row.daysLeft < 0) return `${-row.daysLeft} pv yli`;
  return `${row.daysLeft} pv`;
}

export interface RoundPageData {
  stored: StoredRound;
  progress: Progress;
  groups: GroupState[];
  rows: NominationRow[];
  attention: NominationRow[];
  query: string;
  status: string;
  total: number;
  now: Date;
}

export function renderRound(ctx: PageContext, d: RoundPageData, message?: string): string {
  const { round } = d.stored;
  const byGroup = round.groups.map((g) => ({ group: g, rows: d.rows.filter((r) => r.groupId === g.id) }));
  const groupState = new Map(d.groups.map((g) => [g.groupId, g.status]));
  const body = html`<p class="crumbs"><a href="${paths.rounds()}">Kierrokset</a> › ${round.id}</p>
<h1>${round.title}</h1>
${notice(message)}
<p class="lead">${round.organiser.name}. Pyyntö ${displayDateFi(round.requestDate)}, vastaukset viimeistään ${displayDateFi(round.deadline)}, ryhmät alkavat ${displayDateFi(round.startDate)}.</p>
${stats(d.progress)}
<p><a class="button secondary" href="${paths.csv(round.id)}" download>Lataa nimilista ja tilanne (CSV)</a></p>

<h2 id="huomio">Vaatii huomiota</h2>
${
  d.attention.length === 0
    ? html`<p>Ei epäonnistuneita vaiheita eikä myöhässä olevia vastauksia.</p>`
    : html`<ul>${d.attention.map(
        (r) =>
          html`<li>${tag(r)} <a href="${paths.nomination(round.id, r.municipality.id)}">${r.municipality.name}</a>: ${r.stateText}</li>`,
      )}</ul>`
}

<h2 id="kunnat">Kunnat ryhmittäin</h2>
<form class="search" method="get" action="${paths.round(round.id)}" role="search" aria-label="Hae kunnista">
<div><label for="q">Hae</label><p class="hint" id="q-hint">Kunta, henkilö, sähköposti, pykälä tai asianumero</p>
<input type="search" id="q" name="q" value="${d.query}" aria-describedby="q-hint"></div>
<div><label for="status">Tila</label>
<select id="status" name="status"><option value="">Kaikki</option>
${STATUS_FILTERS.map((s) => html`<option value="${s}"${d.status === s ? raw(' selected') : ''}>${STATUS_LABELS[s]}</option>`)}
</select></div>
<button type="submit">Hae</button>
</form>
<p role="status">Näytetään ${d.rows.length} / ${d.total} kuntaa. <a href="${paths.search()}">Hae kaikista kierroksista</a></p>
${byGroup
  .filter((g) => g.rows.length > 0)
  .map(
    ({
      group,
      rows,
    }) => html`<div class="table-wrap" role="region" aria-labelledby="ryhma-${group.id}" tabindex="0">
<table>
<caption id="ryhma-${group.id}">${group.name} (${groupState.get(group.id) === 'active' ? 'aktiivinen' : 'suunniteltu'}, ${group.municipalityIds.length} kuntaa)</caption>
<thead><tr><th scope="col">Kunta</th><th scope="col">Tila</th><th scope="col">Tilanne</th><th scope="col">Määräaikaan</th></tr></thead>
<tbody>
${rows.map(
  (
    r,
  ) => html`<tr><th scope="row"><a href="${paths.nomination(round.id, r.municipality.id)}">${r.municipality.name}</a></th>
<td>${tag(r)}</td><td>${r.stateText}</td><td>${daysText(r)}</td></tr>
`,
)}</tbody></table></div>
`,
  )}`;
  return layout({ ...ctx, section: 'rounds' }, round.title, body);
}

// ---------------------------------------------------------------------------------
// A nomination

export interface TimelineItem {
  at: string;
  text: string;
}

export interface NominationPageData {
  round: Round;
  municipality: Municipality;
  groupName: string;
  nomination: Nomination;
  row: NominationRow;
  timeline: TimelineItem[];
  history: Array<{ execution: string; events: ExecutionEvent[] }>;
  mails: OutboxRecord[];
  audit: AuditEntry[];
  errors?: FieldError[];
  /** Which action form the errors belong to. */
  errorAction?: string;
  values?: Record<string, string>;
}

function people(list: Person[] | undefined): SafeHtml {
  if (!list?.length) return html`<p class="muted">Ei vielä.</p>`;
  return html`<ul>${list.map((p) => html`<li>${p.name}, ${p.title} (${p.email}${p.phone ? `, ${p.phone}` : ''})</li>`)}</ul>`;
}

const ACTION_TITLES = {
  resend: 'Lähetä vaiheen linkki uudelleen',
  extend: 'Pidennä määräaikaa',
  cancel: 'Peru nimeäminen',
  retry: 'Yritä epäonnistunutta vaihetta uudelleen',
  correct: 'Kirjaa oikaistu päätös',
} as const;

function actionForm(
  ctx: PageContext,
  d: NominationPageData,
  action: keyof typeof ACTION_TITLES,
  fields: SafeHtml | undefined,
  confirmText: string,
  button: string,
  danger = false,
  wide = false,
): SafeHtml {
  const errors = d.errorAction === action ? d.errors : undefined;
  return html`<form${wide ? raw(' class="wide"') : ''} method="post" action="${paths.action(d.round.id, d.municipality.id, action)}" aria-labelledby="toiminto-${action}">
<h3 id="toiminto-${action}">${ACTION_TITLES[action]}</h3>
${errorSummary(errors)}
${csrfField(ctx)}
<input type="hidden" name="version" value="${d.nomination.version}">
${fields}
${fieldErrorsFor(errors, 'confirm')}
${confirmBox(`${action}-confirm`, confirmText, errors)}
<button type="submit"${danger ? raw(' class="danger"') : ''}>${button}</button>
</form>`;
}

function actions(ctx: PageContext, d: NominationPageData): SafeHtml {
  const status = d.nomination.status;
  const step = waitingStep(status);
  const ended = ['completed', 'no_answer', 'rejected', 'cancelled'].includes(status);
  const errorsOf = (action: string) => (d.errorAction === action ? d.errors : undefined);
  const invalid = (action: string, field: string) =>
    errorsOf(action)?.some((e) => e.field === field) ? raw(' aria-invalid="true"') : '';
  const forms: SafeHtml[] = [];
  if (step) {
    forms.push(
      actionForm(
        ctx,
        d,
        'resend',
        html`<input type="hidden" name="step" value="${step}"><p>Uusi linkki lähtee samalle vastaanottajalle. Aiempi linkki lakkaa toimimasta.</p>`,
        'Vahvistan uuden linkin lähettämisen',
        'Lähetä uusi linkki',
      ),
    );
  }
  if (!ended) {
    forms.push(
      actionForm(
        ctx,
        d,
        'extend',
        html`<div class="field"><label for="f-deadline">Uusi määräaika</label>
<p class="hint" id="f-deadline-hint">Nykyinen ${displayDateFi(d.row.deadline)}. Muodossa pp.kk.vvvv.</p>
${fieldErrorsFor(errorsOf('extend'), 'deadline')}
<input type="text" id="f-deadline" name="deadline" inputmode="numeric" value="${d.values?.deadline ?? ''}" aria-describedby="f-deadline-hint"${invalid('extend', 'deadline')}></div>`,
        'Vahvistan määräajan pidentämisen',
        'Pidennä määräaikaa',
      ),
      actionForm(
        ctx,
        d,
        'cancel',
        html`<div class="field"><label for="f-reason">Syy</label>
<p class="hint" id="f-reason-hint">Tallennetaan tapahtumalokiin.</p>
${fieldErrorsFor(errorsOf('cancel'), 'reason')}
<textarea id="f-reason" name="reason" aria-describedby="f-reason-hint"${invalid('cancel', 'reason')}>${d.values?.reason ?? ''}</textarea></div>`,
        'Vahvistan nimeämisen perumisen. Linkit lakkaavat toimimasta.',
        'Peru nimeäminen',
        true,
      ),
    );
  }
  if (status === 'failed') {
    forms.push(
      actionForm(
        ctx,
        d,
        'retry',
        html`<p>Epäonnistunut vaihe ajetaan uudelleen uutena suorituksena.</p>`,
        'Vahvistan vaiheen uudelleenyrityksen',
        'Yritä uudelleen',
      ),
    );
  }
  if (d.nomination.decision && (status === 'excerpts_sent' || status === 'completed')) {
    forms.push(
      actionForm(
        ctx,
        d,
        'correct',
        correctionFields(d),
        'Vahvistan: oikaistu pöytäkirjanote lähtee kaikille otteen saaneille, ja jäsenmuutoksista ilmoitetaan.',
        'Kirjaa oikaistu päätös',
        false,
        true,
      ),
    );
  }
  // A refused action whose form is not on the page (retry when nothing failed, …): its message on top.
  const shown = [
    ...(step ? ['resend'] : []),
    ...(ended ? [] : ['extend', 'cancel']),
    ...(status === 'failed' ? ['retry'] : []),
    ...(d.nomination.decision && (status === 'excerpts_sent' || status === 'completed') ? ['correct'] : []),
  ];
  const refused = d.errorAction && !shown.includes(d.errorAction) ? errorSummary(d.errors) : undefined;
  if (forms.length === 0) return html`${refused}<p>Nimeäminen on päättynyt: toimintoja ei ole.</p>`;
  return html`${refused}<div class="actions">${forms}</div>`;
}

const PART_LABELS: Record<NomineePart, string> = {
  name: 'Nimi',
  title: 'Tehtävänimike',
  email: 'Sähköposti',
  phone: 'Puhelin (vapaaehtoinen)',
};

const CORRECTION_OUTCOMES = [
  ['adopted', 'Hyväksyttiin päätösehdotus (henkilöt kuten ehdotuksessa)'],
  ['adopted_with_changes', 'Hyväksyttiin muutettuna (henkilöt alla olevan luettelon mukaan)'],
] as const;

/**
 * The corrected decision's fields, named as the secretary's decision form (parseDecisionForm):
 * prefilled from the decision in force, or from what was posted when it had errors.
 */
function correctionFields(d: NominationPageData): SafeHtml {
  const decision = d.nomination.decision;
  const posted = d.errorAction === 'correct' ? d.values : undefined;
  const errors = d.errorAction === 'correct' ? d.errors : undefined;
  const current: Record<string, string> = {
    outcome: decision?.outcome ?? 'adopted',
    meetingDate: decision ? displayDateFi(decision.meetingDate) : '',
    section: decision?.section ?? '',
    diaryNumber: decision?.diaryNumber ?? '',
    text: decision?.text ?? '',
  };
  decision?.nominees.forEach((p, i) => {
    for (const part of NOMINEE_PARTS) current[nomineeField(i, part)] = p[part] ?? '';
  });
  const value = (field: string) => (posted ? (posted[field] ?? '') : (current[field] ?? ''));
  const invalid = (field: string) =>
    errors?.some((e) => e.field === field) ? raw(' aria-invalid="true"') : '';
  const input = (field: string, label: string, max: number, hint?: string) =>
    html`<div class="field"><label for="${fieldId(field)}">${label}</label>
${hint && html`<p class="hint" id="${fieldId(field)}-hint">${hint}</p>`}
${fieldErrorsFor(errors, field)}
<input type="text" id="${fieldId(field)}" name="${field}" maxlength="${max}" value="${value(field)}"${
      hint ? raw(` aria-describedby="${fieldId(field)}-hint"`) : ''
    }${invalid(field)}></div>`;
  const rows = Math.max(d.round.seats.max, decision?.nominees.length ?? 0);
  return html`<div id="${fieldId('decision')}">
<p>Kirjaa päätös sellaisena kuin se on oikaistu. Oikaistu pöytäkirjanote (OIKAISTU PÖYTÄKIRJANOTE) lähtee kaikille, jotka saivat aiemman otteen, ja uusille nimetyille. Jos henkilöt muuttuvat, jäsenluettelo päivittyy; kun ryhmä on jo aloittanut, ryhmästä eroava ja ryhmään tuleva saavat tiedon.</p>
${fieldErrorsFor(errors, 'decision')}</div>
<fieldset><legend>Miten asiassa päätettiin?</legend>
${fieldErrorsFor(errors, 'outcome')}
${CORRECTION_OUTCOMES.map(
  ([outcome, label], i) =>
    html`<div class="choice"><input type="radio" id="${i === 0 ? fieldId('outcome') : `${fieldId('outcome')}-${outcome}`}" name="outcome" value="${outcome}"${
      value('outcome') === outcome ? raw(' checked') : ''
    }><label for="${i === 0 ? fieldId('outcome') : `${fieldId('outcome')}-${outcome}`}">${label}</label></div>`,
)}
</fieldset>
${input('meetingDate', 'Kokouspäivä', 10, 'Muodossa pp.kk.vvvv.')}
${input('section', 'Pykälä', LIMITS.section + 2, 'Esimerkiksi 87.')}
${input('diaryNumber', 'Asianumero (vapaaehtoinen)', LIMITS.diaryNumber)}
<div class="field"><label for="${fieldId('text')}">Päätös</label>
${fieldErrorsFor(errors, 'text')}
<textarea id="${fieldId('text')}" name="text" maxlength="${LIMITS.text}"${invalid('text')}>${value('text')}</textarea></div>
<fieldset id="${fieldId(NOMINEES_FIELD)}"><legend>Nimetyt henkilöt</legend>
<p class="hint">Käytetään, kun päätösehdotus hyväksyttiin muutettuna. Tyhjä rivi ohitetaan.</p>
${fieldErrorsFor(errors, NOMINEES_FIELD)}
${Array.from(
  { length: rows },
  (_, i) => html`<fieldset><legend>Henkilö ${i + 1}</legend>
${NOMINEE_PARTS.map((part) => input(nomineeField(i, part), PART_LABELS[part], LIMITS[part]))}
</fieldset>`,
)}
</fieldset>`;
}

const MAIL_STATUS: Record<string, string> = {
  sending: 'Lähettämässä',
  retrying: 'Viivästynyt, yritetään uudelleen',
  sent: 'Lähetetty',
  delayed: 'Viivästynyt',
  delivered: 'Toimitettu',
  bounced: 'Palautui',
  complained: 'Merkitty roskapostiksi',
  failed: 'Epäonnistui',
};

/** How long a mail took from its first attempt to SES accepting it, in words. */
function delayWords(from: string, to: string): string {
  const seconds = Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 1000));
  return seconds < 120 ? `${seconds} s` : `${Math.round(seconds / 60)} min`;
}

export function mailState(m: OutboxRecord): string {
  const state = m.status === 'retrying' ? 'retrying' : (m.deliveryState ?? m.status);
  const failed = m.failedAttempts ?? 0;
  if (state === 'retrying') {
    const last = m.lastErrorAt ? `, viimeisin ${displayDateTimeFi(m.lastErrorAt)}` : '';
    return `${MAIL_STATUS.retrying} (${failed} epäonnistunutta yritystä${last}: ${m.lastError ?? 'virhe'})`;
  }
  const detail = m.deliveryDetail ? ` (${m.deliveryDetail})` : '';
  const delayed =
    failed > 0 && m.sentAt
      ? ` ${failed + 1}. yrityksellä, viivästyi ${m.firstAttemptAt ? delayWords(m.firstAttemptAt, m.sentAt) : ''}`.trimEnd()
      : '';
  return `${MAIL_STATUS[state] ?? state}${delayed}${detail}`;
}

export function renderNomination(ctx: PageContext, d: NominationPageData, message?: string): string {
  const { round, municipality, nomination } = d;
  const n = nomination;
  const body = html`<p class="crumbs"><a href="${paths.rounds()}">Kierrokset</a> › <a href="${paths.round(round.id)}">${round.title}</a> › ${municipality.name}</p>
<h1>${municipality.name}</h1>
${notice(message)}
<p class="lead">${tag(d.row)} ${d.row.stateText}</p>
<dl class="facts">
<dt>Ryhmä</dt><dd>${d.groupName}</dd>
<dt>Määräaika</dt><dd>${displayDateFi(d.row.deadline)}${n.deadline ? ' (pidennetty)' : ''}</dd>
<dt>Valmistelija</dt><dd>${municipality.preparer.name}, ${municipality.preparer.email}</dd>
<dt>Esittelijä</dt><dd>${municipality.presenter.name}, ${municipality.presenter.email}</dd>
<dt>Toimielin</dt><dd>${municipality.body.name}</dd>
${n.decision && html`<dt>Päätös</dt><dd>${displayDateFi(n.decision.meetingDate)} § ${n.decision.section}: ${n.decision.text}${n.decision.diaryNumber ? ` (${n.decision.diaryNumber})` : ''}</dd>`}
${n.failure && html`<dt>Virhe</dt><dd>${n.failure.error} (${displayDateTimeFi(n.failure.at)})</dd>`}
${n.cancelled && html`<dt>Peruttu</dt><dd>${displayDateTimeFi(n.cancelled.at)}, ${n.cancelled.by}: ${n.cancelled.reason}</dd>`}
</dl>

<h2>Toiminnot</h2>
${actions(ctx, d)}

<div class="cols">
<section aria-labelledby="tapahtumat"><h2 id="tapahtumat">Tapahtumat</h2>
${
  d.timeline.length === 0
    ? html`<p class="muted">Ei vielä tapahtumia.</p>`
    : html`<ol class="timeline">${d.timeline.map((t) => html`<li><time datetime="${t.at}">${displayDateTimeFi(t.at)}</time>${t.text}</li>`)}</ol>`
}
</section>
<section aria-labelledby="suoritus"><h2 id="suoritus">Suorituksen tekninen historia</h2>
${
  d.history.every((h) => h.events.length === 0)
    ? html`<p class="muted">Suoritusta ei löydy.</p>`
    : d.history.map(
        (h) =>
          html`<h3>${h.execution}</h3><ol class="timeline">${h.events
            .filter((e) => e.state || e.type.startsWith('Execution') || e.error)
            .map(
              (e) =>
                html`<li><time datetime="${e.at}">${displayDateTimeFi(e.at)}</time>${e.type}${e.state ? ` – ${e.state}` : ''}${e.error ? `: ${e.error}` : ''}</li>`,
            )}</ol>`,
      )
}
</section>
</div>

<h2>Ehdokkaat ja jäsenet</h2>
<h3>Ehdotus</h3>${people(n.proposal?.nominees)}
<h3>Päätetyt</h3>${people(n.decision?.nominees)}

<h2 id="viestit">Viestit</h2>
${
  d.mails.length === 0
    ? html`<p class="muted">Ei lähetettyjä viestejä.</p>`
    : html`<div class="table-wrap" role="region" aria-labelledby="viestit-otsikko" tabindex="0"><table>
<caption id="viestit-otsikko">Kunnalle ja asianosaisille lähetetyt viestit</caption>
<thead><tr><th scope="col">Aihe</th><th scope="col">Vastaanottaja</th><th scope="col">Tarkoitus</th><th scope="col">Tila</th><th scope="col">Lähetetty</th></tr></thead>
<tbody>${d.mails.map(
        (m) =>
          html`<tr><td>${m.subject}</td><td>${m.recipient}</td><td>${m.purpose}</td><td>${mailState(m)}</td><td>${m.sentAt ? displayDateTimeFi(m.sentAt) : '–'}</td></tr>`,
      )}</tbody></table></div>`
}

<h2 id="loki">Tapahtumaloki</h2>
${
  d.audit.length === 0
    ? html`<p class="muted">Ei merkintöjä.</p>`
    : html`<div class="table-wrap" role="region" aria-labelledby="loki-otsikko" tabindex="0"><table>
<caption id="loki-otsikko">Kuka teki mitä ja milloin</caption>
<thead><tr><th scope="col">Aika</th><th scope="col">Tekijä</th><th scope="col">Toiminto</th><th scope="col">Lisätieto</th></tr></thead>
<tbody>${d.audit.map(
        (a) =>
          html`<tr><td>${displayDateTimeFi(a.at)}</td><td>${a.actor}</td><td>${actionWords(a.action)}</td><td>${a.detail ?? ''}</td></tr>`,
      )}</tbody></table></div>`
}`;
  return layout({ ...ctx, section: 'rounds' }, `${municipality.name} – ${round.title}`, body, d.errors);
}

// ---------------------------------------------------------------------------------

export function renderStartRound(ctx: PageContext, errors?: FieldError[], fileName?: string): string {
  const body = html`<h1>Aloita kierros</h1>
<p>Lataa kierrostiedosto (YAML tai JSON, ks. <code>examples/round.schema.json</code>). Tiedosto tarkistetaan: jos siinä on virheitä, mitään ei tallenneta ja virheet näytetään kentittäin.</p>
${errorSummary(errors)}
<form class="panel" method="post" action="${paths.newRound()}" enctype="multipart/form-data">
${csrfField(ctx)}
<div class="field"><label for="f-file">Kierrostiedosto</label>
${fileName && html`<p class="hint">Edellinen yritys: ${fileName}</p>`}
${fieldErrorsFor(errors, 'file')}
<input type="file" id="f-file" name="file" accept=".yaml,.yml,.json,application/json,text/yaml" required></div>
${fieldErrorsFor(errors, 'confirm')}
${confirmBox('start-confirm', 'Vahvistan: kierroksen pyynnöt lähtevät kunnille heti.', errors)}
<button type="submit">Aloita kierros</button>
</form>`;
  return layout({ ...ctx, section: 'new' }, 'Aloita kierros', body, errors);
}

// ---------------------------------------------------------------------------------
// Search across rounds

export function renderSearch(ctx: PageContext, d: SearchOutcome, errors?: FieldError[]): string {
  const invalid = errors?.some((e) => e.field === 'q') ? raw(' aria-invalid="true"') : '';
  const results = !d.searched
    ? html`<p>Kirjoita hakusana tai valitse tila.</p>`
    : d.hits.length === 0
      ? html`<p role="status">Ei osumia.</p>`
      : html`<p role="status">${d.hits.length} ${d.hits.length === 1 ? 'osuma' : 'osumaa'}${
          d.more ? ` – näytetään ensimmäiset ${d.hits.length}. Tarkenna hakua.` : '.'
        }</p>
<div class="table-wrap" role="region" aria-labelledby="tulokset-otsikko" tabindex="0"><table class="results">
<caption id="tulokset-otsikko">Hakutulokset, uusin kierros ensin</caption>
<thead><tr><th scope="col">Kunta</th><th scope="col">Kierros</th><th scope="col">Tila</th><th scope="col">Tilanne</th><th scope="col">Osuma</th></tr></thead>
<tbody>${d.hits.map(
          (
            h,
          ) => html`<tr><th scope="row"><a href="${paths.nomination(h.stored.round.id, h.row.municipality.id)}">${h.row.municipality.name}</a></th>
<td><a href="${paths.round(h.stored.round.id)}">${h.stored.round.title}</a><br><span class="muted">${h.stored.round.id}</span></td>
<td>${tag(h.row)}</td><td>${h.row.stateText}</td><td>${h.matched ?? ''}</td></tr>
`,
        )}</tbody></table></div>`;
  const body = html`<h1>Haku kaikista kierroksista</h1>
${errorSummary(errors)}
<form class="search" method="get" action="${paths.search()}" role="search" aria-label="Hae kaikista kierroksista">
<div><label for="${fieldId('q')}">Hae</label><p class="hint" id="q-hint">Kunta, henkilön nimi, sähköposti, pykälä (§ 87) tai asianumero</p>
${fieldErrorsFor(errors, 'q')}
<input type="search" id="${fieldId('q')}" name="q" value="${d.query}" aria-describedby="q-hint"${invalid}></div>
<div><label for="status">Tila</label>
<select id="status" name="status"><option value="">Kaikki</option>
${STATUS_FILTERS.map((s) => html`<option value="${s}"${d.status === s ? raw(' selected') : ''}>${STATUS_LABELS[s]}</option>`)}
</select></div>
<button type="submit">Hae</button>
</form>
${results}`;
  return layout({ ...ctx, section: 'search' }, d.query ? `Haku: ${d.query}` : 'Haku', body, errors);
}
