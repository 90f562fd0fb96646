/** Members: recorded from the decision, then activated with their group. */
import { rosterMail, welcomeMail } from '../domain/mail-texts.ts';
import { findGroup } from '../domain/round.ts';
import type { Deps } from './deps.ts';
import { loadNomination, loadRound } from './load.ts';
import { type NominationRef, setStatus } from './nomination-status.ts';

/** Records the decided nominees as the municipality's members of its group. */
export async function recordMembers(ref: NominationRef, deps: Pick<Deps, 'store' | 'clock'>): Promise<void> {
  const { nomination } = await loadNomination(deps.store, ref.roundId, ref.municipalityId);
  if (!nomination.decision) throw new Error(`Nomination ${ref.municipalityId} has no decision`);
  await setStatus(deps, nomination, 'completed', { members: nomination.decision.nominees });
}

/**
 * A group starts: it becomes active with the members of its decided municipalities,
 * each member gets a welcome and the organiser the roster, each once.
 */
export async function activateGroup(
  ref: { roundId: string; groupId: string },
  deps: Deps,
): Promise<{ members: number; missing: string[] }> {
  const round = await loadRound(deps.store, ref.roundId);
  const group = findGroup(round, ref.groupId);
  const nominations = await deps.store.listNominations(ref.roundId);
  const byMunicipality = new Map(nominations.map((n) => [n.municipalityId, n]));
  const members = group.municipalityIds.flatMap((municipalityId) =>
    (byMunicipality.get(municipalityId)?.members ?? []).map((person) => ({ ...person, municipalityId })),
  );
  const missing = group.municipalityIds
    .filter((id) => !byMunicipality.get(id)?.members?.length)
    .map((id) => round.municipalities.find((m) => m.id === id)?.name ?? id);

  const stored = await deps.store.getGroup(ref.roundId, ref.groupId);
  if (stored?.status !== 'active') {
    await deps.store.saveGroup({
      roundId: ref.roundId,
      groupId: ref.groupId,
      status: 'active',
      members,
      activatedAt: deps.clock.now().toISOString(),
    });
  }

  const nameOf = (id: string) => round.municipalities.find((m) => m.id === id)?.name ?? id;
  const roster = members.map(({ municipalityId, ...person }) => ({
    ...person,
    municipalityName: nameOf(municipalityId),
  }));
  const scope = `group:${group.id}`;
  for (const member of roster) {
    await deps.mailer.sendOnce(
      { roundId: round.id, scope, purpose: 'welcome', recipient: member.email },
      welcomeMail({ round, groupName: group.name, member, roster, startDate: round.startDate }),
    );
  }
  await deps.mailer.sendOnce(
    { roundId: round.id, scope, purpose: 'roster', recipient: round.organiser.registryEmail },
    rosterMail({ round, groupName: group.name, roster, missingMunicipalities: missing }),
  );
  return { members: members.length, missing };
}

export async function completeRound(roundId: string, deps: Pick<Deps, 'store'>): Promise<void> {
  await deps.store.setRoundStatus(roundId, 'completed');
}
