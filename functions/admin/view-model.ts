/**
 * The console's words for the process: each nomination's state as a sentence, what
 * needs attention first, and a round's progress. Pure: no AWS, no clock of its own.
 */
import { displayDateFi, displayDateTimeFi } from '../domain/finnish.ts';
import type { OutboxRecord, StepWait, StoredRound } from '../domain/ports.ts';
import { answerDeadline, findMunicipality, groupOf } from '../domain/round.ts';
import type { Municipality, Nomination, NominationStatus, OfficialStep, Round } from '../domain/types.ts';

const DAY_MS = 24 * 3600 * 1000;

export const STATUS_LABELS: Record<NominationStatus, string> = {
  pending: 'Pyyntö lähdössä',
  awaiting_proposal: 'Odottaa ehdotusta',
  awaiting_approval: 'Odottaa esittelijää',
  awaiting_decision: 'Odottaa päätöstä',
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
};

export function waitingStep(status: NominationStatus): OfficialStep | undefined {
  return WAITING_STEP[status];
}

export type Attention = 'failed' | 'bounced' | 'overdue' | 'no_answer' | undefined;

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

function who(municipality: Municipality, step: OfficialStep): string {
  switch (step) {
    case 'proposal':
      return `ehdotusta valmistelijalta ${municipality.preparer.name}`;
    case 'approval':
      return `hyväksyntää esittelijältä ${municipality.presenter.name}`;
    case 'decision':
      return `päätöstä toimielimeltä ${municipality.body.name}`;
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
    return `Odottaa ${who(municipality, step)}${since}`;
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

function attentionOf(nomination: Nomination, deadline: Date, now: Date, bounced: boolean): Attention {
  if (nomination.status === 'failed') return 'failed';
  if (bounced) return 'bounced';
  if (waitingStep(nomination.status) && deadline.getTime() < now.getTime()) return 'overdue';
  if (nomination.status === 'no_answer') return 'no_answer';
  return undefined;
}

const ATTENTION_ORDER: Record<NonNullable<Attention>, number> = {
  failed: 0,
  bounced: 1,
  overdue: 2,
  no_answer: 3,
};

export function buildRows(
  round: Round,
  nominations: Nomination[],
  waits: StepWait[],
  now: Date,
  undelivered: OutboxRecord[] = [],
): NominationRow[] {
  const bouncedScopes = new Set(undelivered.map((m) => m.scope));
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
    const waitingSince = step ? waitBy.get(`${nomination.municipalityId}#${step}`)?.openedAt : undefined;
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
      attention: attentionOf(nomination, deadline, now, bouncedScopes.has(nomination.municipalityId)),
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
 * Search within a round: municipality name or id, any person's name or e-mail
 * (officials, nominees, members), the decision's section or diary number. Case-insensitive.
 */
export function matches(row: NominationRow, query: string): boolean {
  const q = query.trim().toLowerCase();
  if (!q) return true;
  const m = row.municipality;
  const n = row.nomination;
  const people = [
    m.preparer,
    m.presenter,
    ...(n.proposal?.nominees ?? []),
    ...(n.decision?.nominees ?? []),
    ...(n.members ?? []),
  ];
  const haystack = [
    m.id,
    m.name,
    m.registryEmail,
    m.boardEmail,
    m.body.name,
    m.body.secretaryEmail,
    row.groupName,
    ...people.flatMap((p) => [p.name, p.email]),
    n.decision ? `§ ${n.decision.section}` : '',
    n.decision?.section ?? '',
    n.decision?.diaryNumber ?? '',
  ]
    .join('\n')
    .toLowerCase();
  return haystack.includes(q);
}

export function roundLabel(stored: StoredRound): string {
  return `${stored.round.title} (${stored.round.id})`;
}

const STEP_WORDS: Record<string, string> = {
  proposal: 'Ehdotus',
  approval: 'Hyväksyntä',
  decision: 'Päätös',
};
const ACTION_WORDS: Record<string, string> = {
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
