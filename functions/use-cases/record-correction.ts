/**
 * The first half of a corrected decision: checked and stored, in the admin console's
 * request. The mails (corrected excerpt, member change) are the second half, sendCorrection
 * in correct-decision.ts, run by the nomination workflow's SendCorrection step: kept apart so
 * that the console's function does not carry the PDF renderer.
 */
import { ConflictError, ValidationError } from '../domain/errors.ts';
import { formatDateFi } from '../domain/finnish.ts';
import { parseDecisionForm } from '../domain/forms.ts';
import type { Decision, NominationStatus } from '../domain/types.ts';
import type { Deps } from './deps.ts';
import { loadNomination } from './load.ts';

export interface CorrectDecisionInput {
  roundId: string;
  municipalityId: string;
  /** The decision form's fields: outcome, meetingDate, section, text, diaryNumber, nominees.N.*. */
  fields: Record<string, string>;
  /** Who records the correction (the admin's name), for the decision and the audit trail. */
  actor: string;
}

export interface RecordedCorrection {
  decision: Decision;
  /** False when the decision was already the one in force: a repeated post. */
  changed: boolean;
  /** How many decisions it replaced so far (1 after the first correction). */
  corrections: number;
}

/** Where the excerpts have gone out, so there is a decision to correct. */
const CORRECTABLE: ReadonlySet<NominationStatus> = new Set(['excerpts_sent', 'completed']);

export const CORRECTION_MESSAGES = {
  notSent: 'Päätöstä voi oikaista vasta, kun sen pöytäkirjanotteet on lähetetty.',
  noDelivery: 'Pöytäkirjanotetta ei ole toimitettu kenellekään, joten oikaistavaa otetta ei ole.',
  unchanged: 'Oikaistu päätös on sama kuin voimassa oleva. Muuta oikaistavia kohtia ennen tallentamista.',
} as const;

/** The form field of errors about the decision as a whole. */
export const DECISION_FIELD = 'decision';

/**
 * Records a corrected decision:
 * 1. load the nomination; refuse (ConflictError) unless its excerpts went out;
 * 2. validate the form as the secretary's decision form (ValidationError by field; nothing stored);
 *    a decision identical to the one in force is refused, unless it is the last correction
 *    posted again (then nothing is stored: `changed` is false);
 * 3. save it as the decision in force, the replaced one kept in `previousDecisions`
 *    (optimistic lock: version + 1);
 * 4. record it in the audit trail under the admin's name.
 */
export async function recordCorrectedDecision(
  input: CorrectDecisionInput,
  deps: Pick<Deps, 'store' | 'mailer' | 'clock'>,
): Promise<RecordedCorrection> {
  const { round, nomination } = await loadNomination(deps.store, input.roundId, input.municipalityId);
  const current = nomination.decision;
  if (!CORRECTABLE.has(nomination.status) || !current || !nomination.proposal) {
    throw new ConflictError(CORRECTION_MESSAGES.notSent);
  }
  const delivered = (await deps.mailer.listSent(input.roundId)).some(
    (r) =>
      r.scope === input.municipalityId &&
      (r.purpose === 'excerpt' || r.purpose === 'excerpt-copy') &&
      r.sentAt !== undefined,
  );
  if (!delivered) throw new ConflictError(CORRECTION_MESSAGES.noDelivery);

  const form = parseDecisionForm(input.fields, round.seats, nomination.proposal);
  const previous = nomination.previousDecisions ?? [];
  if (sameDecision(form, current)) {
    if (previous.length === 0) {
      throw new ValidationError([{ field: DECISION_FIELD, message: CORRECTION_MESSAGES.unchanged }]);
    }
    return { decision: current, changed: false, corrections: previous.length };
  }
  const now = deps.clock.now().toISOString();
  const decision: Decision = { ...form, decidedAt: now, recordedBy: input.actor };
  await deps.store.saveNomination({
    ...nomination,
    decision,
    previousDecisions: [...previous, current],
    updatedAt: now,
    version: nomination.version + 1,
  });
  const meeting = (d: Decision) => `${formatDateFi(d.meetingDate)} § ${d.section}`;
  await deps.store.addAudit({
    roundId: input.roundId,
    municipalityId: input.municipalityId,
    at: now,
    actor: input.actor,
    action: 'decision-corrected',
    detail: `${meeting(current)} → ${meeting(decision)}: ${decision.text}`,
  });
  return { decision, changed: true, corrections: previous.length + 1 };
}

type DecisionContent = Pick<
  Decision,
  'outcome' | 'meetingDate' | 'section' | 'text' | 'diaryNumber' | 'nominees'
>;

function contentKey(d: DecisionContent): string {
  return JSON.stringify([
    d.outcome,
    d.meetingDate,
    d.section,
    d.text,
    d.diaryNumber ?? '',
    d.nominees.map((p) => [p.name, p.title, p.email.toLowerCase(), p.phone ?? '']),
  ]);
}

function sameDecision(a: DecisionContent, b: DecisionContent): boolean {
  return contentKey(a) === contentKey(b);
}
