import { NotFoundError } from '../domain/errors.ts';
import type { Link, LinkOpen, LinkTarget, NominationStore, StepWait } from '../domain/ports.ts';
import { findMunicipality, groupOf } from '../domain/round.ts';
import type { Municipality, Nomination, OfficialStep, PartnershipGroup, Round } from '../domain/types.ts';

export interface NominationContext {
  round: Round;
  municipality: Municipality;
  group: PartnershipGroup;
  nomination: Nomination;
}

/** The context of a nomination read with its round; NotFoundError when either is missing. */
function contextOf(
  roundId: string,
  municipalityId: string,
  round: Round | undefined,
  nomination: Nomination | undefined,
): NominationContext {
  if (!round) throw new NotFoundError(`Round ${roundId} not found`);
  if (!nomination) throw new NotFoundError(`Nomination ${roundId}/${municipalityId} not found`);
  return {
    round,
    municipality: findMunicipality(round, municipalityId),
    group: groupOf(round, municipalityId),
    nomination,
  };
}

/** Loads a nomination with its round, or throws NotFoundError. */
export async function loadNomination(
  store: NominationStore,
  roundId: string,
  municipalityId: string,
): Promise<NominationContext> {
  const [round, nomination] = await Promise.all([
    store.getRoundDefinition(roundId),
    store.getNomination(roundId, municipalityId),
  ]);
  return contextOf(roundId, municipalityId, round, nomination);
}

/**
 * A nomination with its round and the wait of one of its steps (absent when none), in one read
 * of the table; with `openedLink` also that link's open record.
 */
export async function loadNominationAndWait(
  store: NominationStore,
  roundId: string,
  municipalityId: string,
  step: OfficialStep,
  openedLink?: string,
): Promise<NominationContext & { wait?: StepWait; linkOpen?: LinkOpen }> {
  const [round, { nomination, wait, linkOpen }] = await Promise.all([
    store.getRoundDefinition(roundId),
    store.getNominationAndWait(roundId, municipalityId, step, openedLink),
  ]);
  return { ...contextOf(roundId, municipalityId, round, nomination), wait, linkOpen };
}

/**
 * A link by its token's hashes, read in one request with the nomination and the step's wait
 * where the link is said to act (`target`, a form's hint). The context comes only when the
 * link does act there; otherwise the caller reads the link's own nomination.
 */
export async function loadLinkAt(
  store: NominationStore,
  tokenHashes: string[],
  target: LinkTarget,
): Promise<{ link?: Link; context?: NominationContext & { wait?: StepWait } }> {
  const { roundId, municipalityId, step } = target;
  const [round, { link, nomination, wait }] = await Promise.all([
    store.getRoundDefinition(roundId),
    store.getLinkNominationAndWait(tokenHashes, roundId, municipalityId, step),
  ]);
  const actsThere = link?.roundId === roundId && link.municipalityId === municipalityId && link.step === step;
  if (!actsThere) return { link };
  return { link, context: { ...contextOf(roundId, municipalityId, round, nomination), wait } };
}

export async function loadRound(store: NominationStore, roundId: string): Promise<Round> {
  const round = await store.getRoundDefinition(roundId);
  if (!round) throw new NotFoundError(`Round ${roundId} not found`);
  return round;
}
