/**
 * The console's words for the process: each nomination's state as a sentence, what
 * needs attention first, and a round's progress. Pure: no AWS, no clock of its own.
 */
import { displayDateFi, displayDateTimeFi } from '../domain/finnish.ts';
import type { LinkOpen, OutboxRecord, StepWait, StoredRound } from '../domain/ports.ts';
import { answerDeadline, findMunicipality, groupOf } from '../domain/round.ts';
import { containsAll, normalizeSearchText, queryWords } from '../domain/search.ts';
import type { Municipality, Nomination, NominationStatus, OfficialStep, Round } from '../domain/types.ts';

const DAY_MS = 24 * 3600 * 1000;

export const STATUS_LABELS: Record<NominationStatus, string> = {
  pending: 'Pyyntö lähdössä',
  awaiting_proposal: 'Odottaa ehdotusta',
  awaiting_approval: 'Odottaa esittelijää',
  awaiting_decision: 'Odottaa päätöstä',
  awaiting_minute_check: 'Odottaa pöytäkirjan tarkastusta',
  decided: 'Päätetty',
  excerpts_sent: 'Otteet lähetetty',
  completed: 'Valmis',
  no_answer: 'Ei vastausta',
  rejected: 'Hylätty',
  failed: 'Virhe',
  cancelled: 'Peruttu',
};

/** Filter values of the round view, in the order the select shows them. */
export const STATUS_FILTERS = Object.keys(STATUS_LABELS) as NominationStatus[];

const WAITING_STEP: Partial<Record<NominationStatus, OfficialStep>> = {
  awaiting_proposal: 'proposal',
  awaiting_approval: 'approval',
  awaiting_decision: 'decision',
  awaiting_minute_check: 'minute_check',
};

export function waitingStep(status: NominationStatus): OfficialStep | undefined {
  return WAITING_STEP[status];
}

/** `delayed`: a mail SES has not taken yet (throttled or unreachable); the workflow retries it. */
export type Attention = 'failed' | 'bounced' | 'delayed' | 'overdue' | 'no_answer' | undefined;

export interface NominationRow {
  municipality: Municipality;
  groupId: string;
  groupName: string;
  nomination: Nomination;
  /** e.g. "Odottaa ehdotusta valmistelijalta Maija Meikäläinen 3.11.2026 klo 9.00 alkaen" */
  stateText: string;
  /** When the current wait began, if waiting. */
  waitingSince?: string;
  /** Whole days left until this nomination's deadline (negative when past). */
  daysLeft: number;
  deadline: string;
  attention: Attention;
}

function who(municipality: Municipality, nomination: Nomination, step: OfficialStep): string {
  switch (step) {
    case 'proposal':
      return `ehdotusta valmistelijalta ${municipality.preparer.name}`;
    case 'approval':
      return `hyväksyntää esittelijältä ${municipality.presenter.name}`;
    case 'decision':
      return `päätöstä toimielimeltä ${municipality.body.name}`;
    case 'minute_check': {
      const check = nomination.minuteCheck;
      const approved = new Set(check?.approvals.map((a) => a.email.toLowerCase()));
      const pending = (check?.checkers ?? municipality.minuteCheckers ?? [])
        .filter((c) => !approved.has(c.email.toLowerCase()))
        .map((c) => c.name);
      return `pöytäkirjan tarkastusta: ${pending.join(', ')}`;
    }
  }
}

export function stateText(
  municipality: Municipality,
  nomination: Nomination,
  waitingSince: string | undefined,
): string {
  const step = waitingStep(nomination.status);
  if (step) {
    const since = waitingSince ? ` ${displayDateTimeFi(waitingSince)} alkaen` : '';
    return `Odottaa ${who(municipality, nomination, step)}${since}`;
  }
  const decision = nomination.decision;
  const decided = decision
    ? `Päätetty ${displayDateFi(decision.meetingDate)} § ${decision.section}`
    : 'Päätetty';
  switch (nomination.status) {
    case 'pending':
      return 'Pyyntö ei ole vielä lähtenyt';
    case 'decided':
      return `${decided}; otteet lähtemässä`;
    case 'excerpts_sent':
      return `${decided}; otteet lähetetty`;
    case 'completed':
      return `${decided}; otteet toimitettu, jäsenet kirjattu`;
    case 'no_answer':
      return 'Ei vastausta määräaikaan mennessä';
    case 'failed':
      return `Vaihe epäonnistui: ${nomination.failure?.error ?? 'tuntematon virhe'}`;
    case 'rejected':
      return nomination.rejection
        ? `Ehdotus hylättiin ${displayDateFi(nomination.rejection.meetingDate)} § ${nomination.rejection.section}`
        : 'Ehdotus hylättiin';
    case 'cancelled':
      return `Peruttu: ${nomination.cancelled?.reason ?? ''}`.trim();
    default:
      return STATUS_LABELS[nomination.status];
  }
}

function attentionOf(
  nomination: Nomination,
  deadline: Date,
  now: Date,
  bounced: boolean,
  delayed = false,
): Attention {
  if (nomination.status === 'failed') return 'failed';
  if (bounced) return 'bounced';
  if (delayed) return 'delayed';
  if (waitingStep(nomination.status) && deadline.getTime() < now.getTime()) return 'overdue';
  if (nomination.status === 'no_answer') return 'no_answer';
  return undefined;
}

const ATTENTION_ORDER: Record<NonNullable<Attention>, number> = {
  failed: 0,
  bounced: 1,
  delayed: 2,
  overdue: 3,
  no_answer: 4,
};

export function buildRows(
  round: Round,
  nominations: Nomination[],
  waits: StepWait[],
  now: Date,
  undelivered: OutboxRecord[] = [],
): NominationRow[] {
  // `undelivered` may hold mails still being retried (status retrying): a delay, not a bounce.
  const retrying = (m: OutboxRecord) => m.status === 'retrying';
  const bouncedScopes = new Set(undelivered.filter((m) => !retrying(m)).map((m) => m.scope));
  const delayedScopes = new Set(undelivered.filter(retrying).map((m) => m.scope));
  const waitBy = new Map(waits.map((w) => [`${w.municipalityId}#${w.step}`, w]));
  const groupNames = new Map(round.groups.map((g) => [g.id, g.name]));
  const rows: NominationRow[] = [];
  for (const nomination of nominations) {
    let municipality: Municipality;
    try {
      municipality = findMunicipality(round, nomination.municipalityId);
    } catch {
      continue; // not in the definition any more: nothing to show
    }
    const step = waitingStep(nomination.status);
    // Until the step's wait is stored (its link is being minted), the status change tells since when.
    const waitingSince = step
      ? (waitBy.get(`${nomination.municipalityId}#${step}`)?.openedAt ?? nomination.updatedAt)
      : undefined;
    const deadline = answerDeadline(round, nomination);
    rows.push({
      municipality,
      groupId: nomination.groupId,
      groupName: groupNames.get(nomination.groupId) ?? groupOf(round, municipality.id).name,
      nomination,
      stateText: stateText(municipality, nomination, waitingSince),
      waitingSince,
      daysLeft: Math.ceil((deadline.getTime() - now.getTime()) / DAY_MS),
      deadline: nomination.deadline ?? round.deadline,
      attention: attentionOf(
        nomination,
        deadline,
        now,
        bouncedScopes.has(nomination.municipalityId),
        delayedScopes.has(nomination.municipalityId),
      ),
    });
  }
  return rows.sort((a, b) => a.municipality.name.localeCompare(b.municipality.name, 'fi'));
}

/** What needs attention first: failures, bounced mails, overdue answers, no answers; oldest first. */
export function attentionList(rows: NominationRow[]): NominationRow[] {
  return rows
    .filter((r) => r.attention)
    .sort(
      (a, b) =>
        ATTENTION_ORDER[a.attention as NonNullable<Attention>] -
          ATTENTION_ORDER[b.attention as NonNullable<Attention>] ||
        (a.waitingSince ?? a.nomination.updatedAt).localeCompare(b.waitingSince ?? b.nomination.updatedAt),
    );
}

export interface Progress {
  municipalities: number;
  /** A proposal was submitted (the municipality has answered). */
  answered: number;
  decided: number;
  noAnswer: number;
  failed: number;
  waiting: number;
  groups: number;
  groupsActive: number;
}

const DECIDED: ReadonlySet<NominationStatus> = new Set(['decided', 'excerpts_sent', 'completed']);

export function progressOf(round: Round, nominations: Nomination[], activeGroups = 0): Progress {
  return {
    municipalities: round.municipalities.length,
    answered: nominations.filter((n) => n.proposal).length,
    decided: nominations.filter((n) => DECIDED.has(n.status)).length,
    noAnswer: nominations.filter((n) => n.status === 'no_answer').length,
    failed: nominations.filter((n) => n.status === 'failed').length,
    waiting: nominations.filter((n) => waitingStep(n.status)).length,
    groups: round.groups.length,
    groupsActive: activeGroups,
  };
}

/**
 * What a nomination can be searched by, each with its label: the municipality, its
 * officials and addresses, the proposed and decided people and members, the decision's
 * section and diary number (corrected decisions' too).
 */
export function searchFields(row: NominationRow): Array<[label: string, value: string]> {
  const m = row.municipality;
  const n = row.nomination;
  const decisions = [...(n.previousDecisions ?? []), ...(n.decision ? [n.decision] : [])];
  const person = (label: string, p: { name: string; email: string }): Array<[string, string]> => [
    [label, p.name],
    [label, p.email],
  ];
  return [
    ['Kunta', m.name],
    ['Kunta', m.id],
    ...person('Valmistelija', m.preparer),
    ...person('Esittelijä', m.presenter),
    ['Kirjaamo', m.registryEmail],
    ['Kunnanhallitus', m.boardEmail],
    ['Toimielin', m.body.name],
    ['Toimielimen sihteeri', m.body.secretaryEmail],
    ['Toimielimen sihteeri', m.body.secretaryName ?? ''],
    ...(m.minuteCheckers ?? []).flatMap((c) => person('Pöytäkirjantarkastaja', c)),
    ['Ryhmä', row.groupName],
    ...(n.proposal?.nominees ?? []).flatMap((p) => person('Ehdotettu', p)),
    ...decisions.flatMap((d) => d.nominees.flatMap((p) => person('Nimetty', p))),
    ...(n.members ?? []).flatMap((p) => person('Jäsen', p)),
    ...decisions.map((d): [string, string] => ['Pykälä', `§ ${d.section}`]),
    ...(n.rejection ? [['Pykälä', `§ ${n.rejection.section}`] as [string, string]] : []),
    ...decisions.map((d): [string, string] => ['Asianumero', d.diaryNumber ?? '']),
  ];
}

/**
 * Search within a round or across rounds: every word of the query must appear in what
 * the nomination can be searched by (searchFields), compared as domain/search.ts
 * normalises text (case, Unicode form and spacing do not matter; ä stays ä).
 */
export function matches(row: NominationRow, query: string): boolean {
  const words = queryWords(query);
  if (words.length === 0) return true;
  const haystack = searchFields(row)
    .map(([, value]) => normalizeSearchText(value))
    .join('\n');
  return containsAll(haystack, words);
}

const LINK_NAMES: Record<string, string> = {
  proposal: 'ehdotuksen linkki',
  approval: 'hyväksynnän linkki',
  decision: 'päätöksen kirjaamisen linkki',
  minute_check: 'pöytäkirjan tarkastuksen linkki',
};

/**
 * A link's opens as one timeline entry, at its first open by a person (else its first
 * open): "Linkki avattu: ehdotuksen linkki, Riitta Lappalainen (2 kertaa, viimeksi …)",
 * marked when every open looked like a mail scanner's.
 */
export function linkOpenItem(open: LinkOpen): { at: string; text: string } {
  const person = open.firstPersonOpenedAt;
  const suspected = open.suspectedCount ?? 0;
  const times =
    open.openCount > 1 ? ` (${open.openCount} kertaa, viimeksi ${displayDateTimeFi(open.lastOpenedAt)})` : '';
  const scanners = !person
    ? ' – todennäköisesti sähköpostin tarkistuspalvelu, ei vastaanottaja'
    : suspected > 0
      ? ` – näistä ${suspected} todennäköisesti sähköpostin tarkistuspalvelun`
      : '';
  return {
    at: person ?? open.firstOpenedAt,
    text: `Linkki avattu: ${LINK_NAMES[open.step] ?? open.step}, ${open.recipientName}${times}${scanners}`,
  };
}

/** The first field that a query's words hit, in words ("Ehdotettu: Sami Kuikka"), for a result list. */
export function matchedField(row: NominationRow, query: string): string | undefined {
  const words = queryWords(query);
  for (const [label, value] of searchFields(row)) {
    const text = normalizeSearchText(value);
    if (text && words.some((w) => text.includes(w))) return `${label}: ${value}`;
  }
  return undefined;
}

export function roundLabel(stored: StoredRound): string {
  return `${stored.round.title} (${stored.round.id})`;
}

const STEP_WORDS: Record<string, string> = {
  proposal: 'Ehdotus',
  approval: 'Hyväksyntä',
  decision: 'Päätös',
  minute_check: 'Pöytäkirjan tarkastus',
};
const ACTION_WORDS: Record<string, string> = {
  'minute_check-returned': 'Pöytäkirjan tarkastus: korjattavaa, palautettu sihteerille',
  'round-started': 'Kierros aloitettu',
  'csv-exported': 'Nimilista ladattu (CSV)',
  'deadline-extended': 'Määräaikaa pidennetty',
  'nomination-cancelled': 'Nimeäminen peruttu',
  'retry-started': 'Epäonnistunut vaihe käynnistetty uudelleen',
  'decision-corrected': 'Päätös oikaistu',
};
const STEP_ACTION_WORDS: Record<string, string> = {
  'link-resent': 'uusi linkki lähetetty',
  'handed-to-substitute': 'siirretty sijaiselle',
  'reminder-sent': 'muistutus lähetetty',
  submitted: 'lähetetty',
  approved: 'hyväksytty',
  returned: 'palautettu valmisteluun',
  adopted: 'päätetty ehdotuksen mukaisesti',
  adopted_with_changes: 'päätetty muutoksin',
  tabled: 'pantu pöydälle',
  rejected: 'hylätty',
};

/** An audit action in words, e.g. "proposal-link-resent" → "Ehdotus: uusi linkki lähetetty". */
export function actionWords(action: string): string {
  const known = ACTION_WORDS[action];
  if (known) return known;
  const [step, ...rest] = action.split('-');
  const what = STEP_ACTION_WORDS[rest.join('-')];
  return step && STEP_WORDS[step] && what ? `${STEP_WORDS[step]}: ${what}` : action;
}
