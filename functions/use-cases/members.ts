/** Members: recorded from the decision, then activated with their group (group-activation.ts). */
import type { Deps } from './deps.ts';
import { activateGroup, applyMemberChange, joinActiveGroup, settleRound } from './group-activation.ts';
import { loadNomination } from './load.ts';
import { type NominationRef, setStatus } from './nomination-status.ts';

export { activateGroup, applyMemberChange };

/**
 * Records the decided nominees as the municipality's members of its group. A municipality
 * decided after its group started joins the active group at once (welcome, updated roster),
 * and the round is completed if it was the last one running.
 */
export async function recordMembers(ref: NominationRef, deps: Deps): Promise<void> {
  const { nomination } = await loadNomination(deps.store, ref.roundId, ref.municipalityId);
  if (!nomination.decision) throw new Error(`Nomination ${ref.municipalityId} has no decision`);
  await setStatus(deps, nomination, 'completed', { members: nomination.decision.nominees });
  if (await joinActiveGroup(ref, deps)) await settleRound(ref.roundId, deps);
}

/** The round's last step: completed when all groups are active and no nomination runs. */
export async function completeRound(
  roundId: string,
  deps: Pick<Deps, 'store'>,
): Promise<{ completed: boolean; groupsNotActive: string[]; nominationsRunning: string[] }> {
  return settleRound(roundId, deps);
}
