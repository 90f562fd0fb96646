/**
 * A decision changed after its excerpts went out (oikaistu päätös): the corrected excerpt
 * goes to everyone who got the first one, and the members follow the corrected decision.
 * The admin console records the correction in its request (record-correction.ts) and the
 * nomination workflow's SendCorrection step runs sendCorrection below.
 */
import type { Person } from '../domain/types.ts';
import type { Deps } from './deps.ts';
import { type ExcerptSendResult, sendCorrectedExcerpts } from './excerpts.ts';
import { loadNomination } from './load.ts';
import { applyMemberChange } from './members.ts';
import type { NominationRef } from './nomination-status.ts';

export { CORRECTION_MESSAGES, type CorrectDecisionInput, DECISION_FIELD } from './record-correction.ts';

export interface CorrectionSent {
  excerpts: ExcerptSendResult;
  /** Undefined when the members are not recorded yet (RecordMembers records the corrected ones). */
  members?: { leaving: Person[]; joining: Person[] };
}

/**
 * The mails of a corrected decision, each once however often it runs:
 * 1. the corrected excerpt (OIKAISTU PÖYTÄKIRJANOTE) to every earlier recipient and anyone
 *    the correction adds, keyed by a hash of the decision;
 * 2. once the members are recorded, the corrected nominees replace them: before the group
 *    starts only the roster changes; after it, the one who leaves and the one who joins are
 *    told and the organiser gets the new roster. While the nomination is still
 *    excerpts_sent, its RecordMembers step records the corrected nominees itself.
 */
export async function sendCorrection(ref: NominationRef, deps: Deps): Promise<CorrectionSent> {
  const excerpts = await sendCorrectedExcerpts(ref, deps);
  const { nomination } = await loadNomination(deps.store, ref.roundId, ref.municipalityId);
  if (nomination.members === undefined || !nomination.decision) return { excerpts };
  const members = await applyMemberChange(ref, nomination.decision.nominees, deps);
  return { excerpts, members };
}
