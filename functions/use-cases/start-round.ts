import { createHash } from 'node:crypto';
import { RoundAlreadyExistsError, RoundFileError, ValidationError } from '../domain/errors.ts';
import { answerDeadline } from '../domain/round.ts';
import { parseRoundFile } from '../domain/round-file.ts';
import type { Round } from '../domain/types.ts';
import { audit, ROUND_AUDIT_SCOPE } from './audit.ts';
import type { StartDeps } from './deps.ts';

export interface StartedRound {
  round: Round;
  executionArn: string;
  /** False when the same file had already been started: nothing new happened. */
  created: boolean;
}

function definitionHash(round: Round): string {
  return createHash('sha256').update(JSON.stringify(round)).digest('hex');
}

/**
 * Starts a round from a round file.
 * 1. Parse and validate the file (nothing stored on error).
 * 2. Refuse a round whose answer deadline has already passed.
 * 3. Store the definition unless the same id exists; a different definition under the same id is refused.
 * 4. Start the round's workflow execution, named after the round (a second start is a no-op).
 */
export async function startRound(fileText: string, deps: StartDeps): Promise<StartedRound> {
  const round = parseRoundFile(fileText);
  if (answerDeadline(round).getTime() <= deps.clock.now().getTime()) {
    throw new RoundFileError([
      { field: 'deadline', message: `Vastausaika ${round.deadline} on jo päättynyt. Valitse tuleva päivä.` },
    ]);
  }
  const hash = definitionHash(round);
  const { stored, created } = await deps.store.putRoundIfAbsent({
    round,
    definitionHash: hash,
    status: 'running',
    createdAt: deps.clock.now().toISOString(),
  });
  if (stored.definitionHash !== hash) {
    throw new RoundAlreadyExistsError(
      `Kierros "${round.id}" on jo olemassa eri sisällöllä. Anna uudelle kierrokselle uusi tunnus (id).`,
    );
  }
  const { executionArn } = await deps.rounds.start(round.id);
  return { round, executionArn, created };
}

/**
 * Starts a round from a round file uploaded in the admin console.
 * 1. Validate and start it (startRound: nothing stored on error, errors by field).
 * 2. Record who started it.
 */
export async function startRoundAsAdmin(
  fileText: string,
  actor: string,
  deps: StartDeps,
): Promise<StartedRound> {
  if (fileText.trim() === '') {
    throw new ValidationError([{ field: 'file', message: 'Valitse ladattava kierrostiedosto.' }]);
  }
  const started = await startRound(fileText, deps);
  if (started.created) await audit(deps, started.round.id, ROUND_AUDIT_SCOPE, actor, 'round-started');
  return started;
}
