/**
 * What an admin does in the console. Each action checks its input (Finnish messages by
 * field), refuses what no longer makes sense (ConflictError), acts, and is recorded in
 * the audit trail with the admin's identity.
 */

import type { ResumePoint } from '../../workflows/states.ts';
import type { ConsoleReads, NominationExecutions } from '../domain/admin-ports.ts';
import { ConflictError, ValidationError } from '../domain/errors.ts';
import { formatDateFi } from '../domain/finnish.ts';
import { parseCalendarDate } from '../domain/forms.ts';
import { type RoundStarter, waitLinkHashes } from '../domain/ports.ts';
import { answerDeadline } from '../domain/round.ts';
import { helsinkiDate } from '../domain/time.ts';
import { isOfficialStep, type Nomination, type NominationStatus, OFFICIAL_STEPS } from '../domain/types.ts';
import { audit, ROUND_AUDIT_SCOPE } from './audit.ts';
import type { Deps } from './deps.ts';
import { loadNomination } from './load.ts';
import { type RecordedCorrection, recordCorrectedDecision } from './record-correction.ts';
import { resendLink } from './resend-link.ts';

export interface AdminDeps extends Deps {
  reads: ConsoleReads;
  executions: NominationExecutions;
  rounds: RoundStarter;
}

const FINAL: ReadonlySet<NominationStatus> = new Set(['completed', 'no_answer', 'rejected', 'cancelled']);
export const MAX_REASON = 500;

/**
 * The version of the nomination the admin's page showed (its forms carry it). A later
 * version means someone else acted in between: the action is refused (ConflictError) and
 * the console tells what happened, instead of acting on a state the admin has not seen.
 */
function assertUnchanged(nomination: Nomination, expectedVersion: number | undefined): void {
  if (expectedVersion !== undefined && nomination.version !== expectedVersion) {
    throw new ConflictError(
      `Nomination ${nomination.municipalityId} changed since version ${expectedVersion} (now ${nomination.version})`,
    );
  }
}

/** What every nomination action may carry: the version of the nomination its form showed. */
export interface SeenVersion {
  expectedVersion?: number;
}

/**
 * Resends a step's link (the old one stops working): resend-link.ts records the audit entry.
 * First the nomination's version moves on (a conditional write), so that of two admins
 * acting on it at once — one resending, the other cancelling or resending too — exactly
 * one goes ahead and the other is told.
 */
export async function resendLinkAsAdmin(
  input: { roundId: string; municipalityId: string; step: string } & SeenVersion,
  actor: string,
  deps: Deps,
): Promise<void> {
  const { step } = input;
  if (!isOfficialStep(step))
    throw new ValidationError([{ field: 'step', message: 'Valitse vaihe, jonka linkki lähetetään.' }]);
  const { nomination } = await loadNomination(deps.store, input.roundId, input.municipalityId);
  assertUnchanged(nomination, input.expectedVersion);
  if (FINAL.has(nomination.status)) {
    throw new ConflictError(`Nomination ${nomination.municipalityId} has ended (${nomination.status})`);
  }
  await deps.store.saveNomination({
    ...nomination,
    updatedAt: deps.clock.now().toISOString(),
    version: nomination.version + 1,
  });
  await resendLink({ roundId: input.roundId, municipalityId: input.municipalityId, step, actor }, deps);
}

/**
 * Extends one nomination's answer deadline.
 * 1. Parse the date (YYYY-MM-DD or d.m.yyyy); it must be later than the current deadline and not past.
 * 2. Refuse a nomination that has ended.
 * 3. Store it on the nomination (Nomination.deadline): waits entered from now on time out
 *    at its end, and links minted from now on live until then.
 * 4. Record old and new deadline.
 */
export async function extendDeadline(
  input: { roundId: string; municipalityId: string; deadline: string } & SeenVersion,
  actor: string,
  deps: Pick<Deps, 'store' | 'clock'>,
): Promise<Nomination> {
  const { round, nomination } = await loadNomination(deps.store, input.roundId, input.municipalityId);
  assertUnchanged(nomination, input.expectedVersion);
  const date = parseCalendarDate(input.deadline ?? '');
  const current = nomination.deadline ?? round.deadline;
  if (!date) {
    throw new ValidationError([{ field: 'deadline', message: 'Anna päivämäärä muodossa pp.kk.vvvv.' }]);
  }
  if (date <= current) {
    throw new ValidationError([
      { field: 'deadline', message: `Uuden määräajan pitää olla myöhempi kuin nykyinen (${current}).` },
    ]);
  }
  if (date < helsinkiDate(deps.clock.now())) {
    throw new ValidationError([{ field: 'deadline', message: 'Määräaika ei voi olla menneisyydessä.' }]);
  }
  // Every nomination must end before the groups start, or the round's activation would wait
  // for it: groups start on their start date, and a later decision joins an active group.
  if (date >= round.startDate) {
    throw new ValidationError([
      {
        field: 'deadline',
        message: `Määräajan pitää päättyä ennen ryhmien aloituspäivää (${formatDateFi(round.startDate)}).`,
      },
    ]);
  }
  if (FINAL.has(nomination.status)) {
    throw new ConflictError(`Nomination ${nomination.municipalityId} has ended (${nomination.status})`);
  }
  const next: Nomination = {
    ...nomination,
    deadline: date,
    updatedAt: deps.clock.now().toISOString(),
    version: nomination.version + 1,
  };
  await deps.store.saveNomination(next);
  await audit(deps, round.id, nomination.municipalityId, actor, 'deadline-extended', `${current} → ${date}`);
  return next;
}

/**
 * Cancels a nomination with a reason.
 * 1. The reason is required (at most MAX_REASON characters); a nomination that has ended is refused.
 * 2. Mark it cancelled first, so a step that runs meanwhile finds it so.
 * 3. Every step's link stops working.
 * 4. Stop its execution (error NominationCancelled; the reason stays in the table, not in the history).
 * 5. Record it, with the reason.
 */
export async function cancelNomination(
  input: { roundId: string; municipalityId: string; reason: string } & SeenVersion,
  actor: string,
  deps: Pick<AdminDeps, 'store' | 'clock' | 'executions'>,
): Promise<Nomination> {
  const reason = (input.reason ?? '').replace(/\s+/g, ' ').trim();
  if (reason === '') throw new ValidationError([{ field: 'reason', message: 'Kirjoita perumisen syy.' }]);
  if (reason.length > MAX_REASON) {
    throw new ValidationError([
      { field: 'reason', message: `Kirjoita syy enintään ${MAX_REASON} merkillä.` },
    ]);
  }
  const { round, nomination } = await loadNomination(deps.store, input.roundId, input.municipalityId);
  assertUnchanged(nomination, input.expectedVersion);
  if (FINAL.has(nomination.status)) {
    throw new ConflictError(`Nomination ${nomination.municipalityId} has ended (${nomination.status})`);
  }
  const at = deps.clock.now().toISOString();
  const next: Nomination = {
    ...nomination,
    status: 'cancelled',
    cancelled: { reason, at, by: actor },
    updatedAt: at,
    version: nomination.version + 1,
  };
  await deps.store.saveNomination(next);
  for (const step of OFFICIAL_STEPS) {
    const wait = await deps.store.getWait(round.id, nomination.municipalityId, step);
    for (const hash of wait ? waitLinkHashes(wait) : []) if (hash) await deps.store.supersedeLink(hash);
  }
  const execution = deps.executions.nameOf(round.id, nomination.municipalityId);
  await deps.executions.stop(execution, 'NominationCancelled', 'Cancelled by an admin');
  await audit(deps, round.id, nomination.municipalityId, actor, 'nomination-cancelled', reason);
  return next;
}

/**
 * Records a corrected decision and has its mails sent.
 * 1. Check, validate and store it, with an audit entry under the admin's name
 *    (record-correction.ts: ConflictError unless the excerpts went out, errors by field).
 * 2. Start a nomination execution `<name>-correction-<n>` (n: the how-manyth correction)
 *    that begins at SendCorrection: the corrected excerpt and the member change
 *    (correct-decision.ts sendCorrection), retried and recorded like any step. The same
 *    correction posted again finds its execution started and starts nothing.
 */
export async function correctDecisionAsAdmin(
  input: { roundId: string; municipalityId: string; fields: Record<string, string> } & SeenVersion,
  actor: string,
  deps: Pick<AdminDeps, 'store' | 'mailer' | 'clock' | 'executions'>,
): Promise<RecordedCorrection & { executionName: string }> {
  if (input.expectedVersion !== undefined) {
    const { nomination } = await loadNomination(deps.store, input.roundId, input.municipalityId);
    assertUnchanged(nomination, input.expectedVersion);
  }
  const recorded = await recordCorrectedDecision({ ...input, actor }, deps);
  const executionName = `${deps.executions.nameOf(input.roundId, input.municipalityId)}-correction-${recorded.corrections}`;
  try {
    await deps.executions.start(executionName, {
      roundId: input.roundId,
      municipalityId: input.municipalityId,
      resumeAt: 'correction' satisfies ResumePoint,
    });
  } catch (error) {
    if ((error as Error).name !== 'ExecutionAlreadyExists') throw error;
  }
  return { ...recorded, executionName };
}

/**
 * Retries a failed nomination from the step that failed (the AWS console's "redrive",
 * done in a way the embedded engine runs too).
 * 1. Only a failed nomination can be retried.
 * 2. Find the failed step in its latest execution's history: the last step entered
 *    before RecordFailure.
 * 3. Put the nomination back to the status it had when that step began, and start a new
 *    execution of the nomination workflow (`<name>-retry-<n>`) whose first state
 *    (ResumeAt) jumps to that step (`resumeAt`).
 * 4. Record it.
 */
export async function retryFailedStep(
  input: { roundId: string; municipalityId: string } & SeenVersion,
  actor: string,
  deps: Pick<AdminDeps, 'store' | 'clock' | 'executions'>,
): Promise<{ executionName: string; resumeAt: ResumePoint }> {
  const { round, nomination } = await loadNomination(deps.store, input.roundId, input.municipalityId);
  assertUnchanged(nomination, input.expectedVersion);
  if (nomination.status !== 'failed') {
    throw new ConflictError(`Nomination ${nomination.municipalityId} has not failed (${nomination.status})`);
  }
  const audits = await deps.store.listAudit(round.id, nomination.municipalityId);
  const retries = audits.filter((a) => a.action === 'retry-started').length;
  const base = deps.executions.nameOf(round.id, nomination.municipalityId);
  const last = retries === 0 ? base : `${base}-retry-${retries}`;
  // A corrected decision's own execution (correctDecisionAsAdmin) may be the one that failed.
  const corrections = nomination.previousDecisions?.length ?? 0;
  const correction =
    corrections > 0 ? await deps.executions.history(`${base}-correction-${corrections}`) : [];
  const latest = await deps.executions.history(last);
  const failedAt = (events: typeof latest) =>
    events
      .filter((e) => e.state === 'RecordFailure')
      .map((e) => e.at)
      .sort()
      .at(-1) ?? '';
  const history = failedAt(correction) > failedAt(latest) ? correction : latest;
  const resumeAt = failedStep(history);
  const executionName = `${base}-retry-${retries + 1}`;
  const now = deps.clock.now();
  const seconds = Math.max(
    1,
    Math.floor((answerDeadline(round, nomination).getTime() - now.getTime()) / 1000),
  );
  const { failure: _failure, ...rest } = nomination;
  await deps.store.saveNomination({
    ...rest,
    status: STATUS_AT[resumeAt],
    updatedAt: now.toISOString(),
    version: nomination.version + 1,
  });
  await deps.executions.start(executionName, {
    roundId: round.id,
    municipalityId: nomination.municipalityId,
    wait: { timeoutSeconds: seconds },
    resumeAt,
  });
  await audit(
    deps,
    round.id,
    nomination.municipalityId,
    actor,
    'retry-started',
    `${executionName} ${resumeAt}`,
  );
  return { executionName, resumeAt };
}

/** Where a retried execution begins: workflows/nomination.ts RESUME_AT_PATH. */
export type { ResumePoint };

/** The nomination's status while each step runs: what a retry restores. */
const STATUS_AT: Record<ResumePoint, NominationStatus> = {
  proposal: 'pending',
  approval: 'awaiting_proposal',
  decision: 'awaiting_approval',
  minute_check: 'decided',
  excerpts: 'decided',
  members: 'excerpts_sent',
  correction: 'completed',
};

const STEP_OF_STATE: Record<string, ResumePoint> = {
  PlanProposalWait: 'proposal',
  RequestProposal: 'proposal',
  PlanApprovalWait: 'approval',
  RequestApproval: 'approval',
  PlanDecisionWait: 'decision',
  RequestDecision: 'decision',
  PlanMinuteCheckWait: 'minute_check',
  RequestMinuteCheck: 'minute_check',
  SendExcerpts: 'excerpts',
  RecordMembers: 'members',
  SendCorrection: 'correction',
};

/** The step that failed: the last step entered before the failure handler ran. */
export function failedStep(events: Array<{ type: string; state?: string }>): ResumePoint {
  let candidate: ResumePoint = 'proposal';
  for (const event of events) {
    if (!event.type.endsWith('StateEntered') || !event.state) continue;
    if (event.state === 'RecordFailure' || event.state === 'NominationFailed') break;
    candidate = STEP_OF_STATE[event.state] ?? candidate;
  }
  return candidate;
}

// ---------------------------------------------------------------------------------
// CSV export

/** A spreadsheet must not run a cell as a formula. */
function cell(value: string | number | undefined): string {
  let text = value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[";\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const CSV_COLUMNS = [
  'Kierros',
  'Ryhmä',
  'Kunta',
  'Tila',
  'Tilanne',
  'Määräaika',
  'Valmistelija',
  'Valmistelijan sähköposti',
  'Esittelijä',
  'Toimielin',
  'Kokous',
  'Pykälä',
  'Asianumero',
  'Jäsenet',
] as const;

/**
 * A round's roster and status as CSV (semicolon-separated, UTF-8 with BOM: opens in a
 * Finnish Excel as columns). One row per municipality; members as "name, title, e-mail" | ….
 */
export function roundCsv(
  rows: Array<{
    roundId: string;
    groupName: string;
    municipalityName: string;
    statusLabel: string;
    stateText: string;
    deadline: string;
    nomination: Nomination;
    preparer: { name: string; email: string };
    presenter: { name: string };
    bodyName: string;
  }>,
): string {
  const lines = [CSV_COLUMNS.join(';')];
  for (const r of rows) {
    const people =
      r.nomination.members ?? r.nomination.decision?.nominees ?? r.nomination.proposal?.nominees ?? [];
    lines.push(
      [
        r.roundId,
        r.groupName,
        r.municipalityName,
        r.statusLabel,
        r.stateText,
        r.deadline,
        r.preparer.name,
        r.preparer.email,
        r.presenter.name,
        r.bodyName,
        r.nomination.decision?.meetingDate,
        r.nomination.decision?.section,
        r.nomination.decision?.diaryNumber,
        people.map((p) => `${p.name}, ${p.title}, ${p.email}`).join(' | '),
      ]
        .map(cell)
        .join(';'),
    );
  }
  return `\ufeff${lines.join('\r\n')}\r\n`;
}

/** Records an export (who took the roster out, and when). */
export async function recordExport(roundId: string, actor: string, deps: Pick<Deps, 'store' | 'clock'>) {
  await audit(deps, roundId, ROUND_AUDIT_SCOPE, actor, 'csv-exported');
}
