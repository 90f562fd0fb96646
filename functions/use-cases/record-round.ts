import { groupsStartAt, nominationExecutionName, stepTimeoutSeconds } from '../domain/round.ts';
import type { Deps } from './deps.ts';
import { loadRound } from './load.ts';

export interface NominationStart {
  roundId: string;
  municipalityId: string;
  executionName: string;
  /** The first wait's timeout; later waits get theirs from each callback. */
  wait: { timeoutSeconds: number };
}

export interface RoundPlan {
  roundId: string;
  /** RFC 3339 instant the groups start (the workflow's Wait uses it). */
  startsAt: string;
  nominations: NominationStart[];
  groups: Array<{ roundId: string; groupId: string }>;
}

/**
 * The round workflow's first step.
 * 1. Load the stored round definition.
 * 2. Record a pending nomination per municipality and a planned group per group (idempotent).
 * 3. Return what the workflow needs: one nomination input per municipality and the start time.
 */
export async function recordRound(roundId: string, deps: Pick<Deps, 'store' | 'clock'>): Promise<RoundPlan> {
  const round = await loadRound(deps.store, roundId);
  const now = deps.clock.now();
  const updatedAt = now.toISOString();
  for (const group of round.groups) {
    await deps.store.putGroupIfAbsent({ roundId, groupId: group.id, status: 'planned', members: [] });
    for (const municipalityId of group.municipalityIds) {
      await deps.store.putNominationIfAbsent({
        roundId,
        municipalityId,
        groupId: group.id,
        status: 'pending',
        updatedAt,
        version: 1,
      });
    }
  }
  const timeoutSeconds = stepTimeoutSeconds(round, now);
  return {
    roundId,
    startsAt: groupsStartAt(round).toISOString(),
    nominations: round.municipalities.map((m) => ({
      roundId,
      municipalityId: m.id,
      executionName: nominationExecutionName(roundId, m.id),
      wait: { timeoutSeconds },
    })),
    groups: round.groups.map((g) => ({ roundId, groupId: g.id })),
  };
}
