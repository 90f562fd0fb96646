/** A nomination that ends without members: no answer by the deadline, or a failure. */
import { noAnswerMail } from '../domain/mail-texts.ts';
import { waitLinkHashes } from '../domain/ports.ts';
import { OFFICIAL_STEPS } from '../domain/types.ts';
import type { Deps } from './deps.ts';
import { loadNomination } from './load.ts';
import { type NominationRef, setStatus } from './nomination-status.ts';

/** The deadline passed: the nomination ends with no members, its links stop working, the organiser is told. */
export async function recordNoAnswer(ref: NominationRef, deps: Deps): Promise<void> {
  const { round, municipality, nomination } = await loadNomination(
    deps.store,
    ref.roundId,
    ref.municipalityId,
  );
  for (const step of OFFICIAL_STEPS) {
    const wait = await deps.store.getWait(ref.roundId, ref.municipalityId, step);
    for (const hash of wait ? waitLinkHashes(wait) : []) if (hash) await deps.store.supersedeLink(hash);
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
