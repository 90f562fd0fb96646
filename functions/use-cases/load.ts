import { NotFoundError } from '../domain/errors.ts';
import type { NominationStore } from '../domain/ports.ts';
import { findMunicipality, groupOf } from '../domain/round.ts';
import type { Municipality, Nomination, PartnershipGroup, Round } from '../domain/types.ts';

export interface NominationContext {
  round: Round;
  municipality: Municipality;
  group: PartnershipGroup;
  nomination: Nomination;
}

/** Loads a nomination with its round, or throws NotFoundError. */
export async function loadNomination(
  store: NominationStore,
  roundId: string,
  municipalityId: string,
): Promise<NominationContext> {
  const [stored, nomination] = await Promise.all([
    store.getRound(roundId),
    store.getNomination(roundId, municipalityId),
  ]);
  if (!stored) throw new NotFoundError(`Round ${roundId} not found`);
  if (!nomination) throw new NotFoundError(`Nomination ${roundId}/${municipalityId} not found`);
  const round = stored.round;
  return {
    round,
    municipality: findMunicipality(round, municipalityId),
    group: groupOf(round, municipalityId),
    nomination,
  };
}

export async function loadRound(store: NominationStore, roundId: string): Promise<Round> {
  const stored = await store.getRound(roundId);
  if (!stored) throw new NotFoundError(`Round ${roundId} not found`);
  return stored.round;
}
