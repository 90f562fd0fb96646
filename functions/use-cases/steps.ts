/** The workflow's non-interactive steps: excerpts, members, outcomes, activation. */
import {
  excerptMail,
  excerptRecipients,
  noAnswerMail,
  rosterMail,
  welcomeMail,
} from '../domain/mail-texts.ts';
import { findGroup } from '../domain/round.ts';
import type { Nomination, NominationStatus, OfficialStep } from '../domain/types.ts';
import type { Deps } from './deps.ts';
import { loadNomination, loadRound } from './load.ts';

export interface NominationRef {
  roundId: string;
  municipalityId: string;
}

async function setStatus(
  deps: Pick<Deps, 'store' | 'clock'>,
  nomination: Nomination,
  status: NominationStatus,
  extra: Partial<Nomination> = {},
): Promise<void> {
  if (nomination.status === status) return; // a retried step
  await deps.store.saveNomination({
    ...nomination,
    ...extra,
    status,
    updatedAt: deps.clock.now().toISOString(),
    version: nomination.version + 1,
  });
}

/**
 * Sends the excerpt (ote) to the organiser and copies (tiedoksi) to the municipal board
 * and every nominee except the presenter, each once.
 */
export async function sendExcerpts(ref: NominationRef, deps: Deps): Promise<{ sent: number }> {
  const { round, municipality, group, nomination } = await loadNomination(
    deps.store,
    ref.roundId,
    ref.municipalityId,
  );
  const { decision, proposal } = nomination;
  if (!decision || !proposal) throw new Error(`Nomination ${ref.municipalityId} has no decision`);
  let sent = 0;
  for (const recipient of excerptRecipients({ round, municipality, decision })) {
    const content = excerptMail({
      round,
      municipality,
      proposal,
      decision,
      groupName: group.name,
      copy: recipient.purpose === 'excerpt-copy',
    });
    const result = await deps.mailer.sendOnce(
      { roundId: round.id, scope: municipality.id, purpose: recipient.purpose, recipient: recipient.email },
      content,
    );
    if (result === 'sent') sent++;
  }
  await setStatus(deps, nomination, 'excerpts_sent');
  return { sent };
}

/** Records the decided nominees as the municipality's members of its group. */
export async function recordMembers(ref: NominationRef, deps: Pick<Deps, 'store' | 'clock'>): Promise<void> {
  const { nomination } = await loadNomination(deps.store, ref.roundId, ref.municipalityId);
  if (!nomination.decision) throw new Error(`Nomination ${ref.municipalityId} has no decision`);
  await setStatus(deps, nomination, 'completed', { members: nomination.decision.nominees });
}

const STEPS: OfficialStep[] = ['proposal', 'approval', 'decision'];

/** The deadline passed: the nomination ends with no members, its links stop working, the organiser is told. */
export async function recordNoAnswer(ref: NominationRef, deps: Deps): Promise<void> {
  const { round, municipality, nomination } = await loadNomination(
    deps.store,
    ref.roundId,
    ref.municipalityId,
  );
  for (const step of STEPS) {
    const wait = await deps.store.getWait(ref.roundId, ref.municipalityId, step);
    if (wait) await deps.store.supersedeLink(wait.linkTokenHash);
  }
  await setStatus(deps, nomination, 'no_answer');
  await deps.mailer.sendOnce(
    {
      roundId: round.id,
      scope: municipality.id,
      purpose: 'no-answer',
      recipient: round.organiser.registryEmail,
    },
    noAnswerMail({ round, municipality }),
  );
}

/** A step failed for good: keep the error on the nomination for the admins. */
export async function recordFailure(
  ref: NominationRef & { error: string; cause: string },
  deps: Pick<Deps, 'store' | 'clock'>,
): Promise<void> {
  const { nomination } = await loadNomination(deps.store, ref.roundId, ref.municipalityId);
  await setStatus(deps, nomination, 'failed', {
    failure: {
      error: ref.error.slice(0, 200),
      cause: ref.cause.slice(0, 2000),
      at: deps.clock.now().toISOString(),
    },
  });
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
