/** Rules about a round's structure: who is asked what, and until when. */
import { NotFoundError } from './errors.ts';
import { endOfDeadlineDay, helsinkiInstant, secondsUntil } from './time.ts';
import type { Municipality, Nomination, OfficialStep, PartnershipGroup, Person, Round } from './types.ts';

export function findMunicipality(round: Round, municipalityId: string): Municipality {
  const municipality = round.municipalities.find((m) => m.id === municipalityId);
  if (!municipality)
    throw new NotFoundError(`Municipality ${municipalityId} is not part of round ${round.id}`);
  return municipality;
}

export function groupOf(round: Round, municipalityId: string): PartnershipGroup {
  const group = round.groups.find((g) => g.municipalityIds.includes(municipalityId));
  if (!group)
    throw new NotFoundError(`Municipality ${municipalityId} belongs to no group of round ${round.id}`);
  return group;
}

export function findGroup(round: Round, groupId: string): PartnershipGroup {
  const group = round.groups.find((g) => g.id === groupId);
  if (!group) throw new NotFoundError(`Group ${groupId} is not part of round ${round.id}`);
  return group;
}

/** The steps one official acts on; the minute check has a link per checker (use-cases/minute-check.ts). */
export type SingleActorStep = Exclude<OfficialStep, 'minute_check'>;

/** The official who acts on a step: preparer proposes, presenter approves, the body's secretary records. */
export function actorOf(municipality: Municipality, step: SingleActorStep): Pick<Person, 'name' | 'email'> {
  switch (step) {
    case 'proposal':
      return municipality.preparer;
    case 'approval':
      return municipality.presenter;
    case 'decision':
      return { name: `${municipality.body.name}, sihteeri`, email: municipality.body.secretaryEmail };
  }
}

/**
 * The last moment a nomination may be answered: its own deadline when an admin extended
 * it (`Nomination.deadline`), else the round's; the end of that day in Helsinki.
 */
export function answerDeadline(round: Round, nomination?: Pick<Nomination, 'deadline'>): Date {
  return endOfDeadlineDay(nomination?.deadline ?? round.deadline);
}

export function groupsStartAt(round: Round): Date {
  return helsinkiInstant(round.startDate);
}

/** The round as one nomination sees it: with its own deadline when an admin extended it (for texts). */
export function roundAsSeenBy(round: Round, nomination: Pick<Nomination, 'deadline'>): Round {
  return nomination.deadline ? { ...round, deadline: nomination.deadline } : round;
}

/** How long a step may wait: until the nomination's answer deadline. */
export function stepTimeoutSeconds(
  round: Round,
  now: Date,
  nomination?: Pick<Nomination, 'deadline'>,
): number {
  return secondsUntil(answerDeadline(round, nomination), now);
}

/** Execution names: stable, so starting twice starts nothing new. ≤ 80 characters by the id rules. */
export function nominationExecutionName(roundId: string, municipalityId: string): string {
  return `${roundId}--${municipalityId}`;
}
