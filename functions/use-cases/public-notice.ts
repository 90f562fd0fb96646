import { NotFoundError } from '../domain/errors.ts';
import { type PublicNotice, publicNotice } from '../domain/public-notice.ts';
import { helsinkiDate } from '../domain/time.ts';
import type { Deps } from './deps.ts';
import { excerptDeliveries } from './excerpts.ts';
import { loadNomination } from './load.ts';
import type { NominationRef } from './nomination-status.ts';

/**
 * The public notice of a nomination's decision:
 * 1. load the nomination; one without a decision has no notice (NotFoundError);
 * 2. the notice is published when the excerpt goes to the organiser: the latest such
 *    send (a corrected excerpt republishes) dates it; none sent yet → NotFoundError;
 * 3. lay it out for today, names and titles only until the members' correction period ends.
 */
export async function publicNoticeOf(ref: NominationRef, deps: Deps): Promise<PublicNotice> {
  const { round, municipality, nomination } = await loadNomination(
    deps.store,
    ref.roundId,
    ref.municipalityId,
  );
  const { decision, proposal } = nomination;
  if (!decision || !proposal) throw new NotFoundError(`Nomination ${ref.municipalityId} has no decision`);
  const published = (await excerptDeliveries(ref, deps))
    .filter((r) => r.purpose.startsWith('excerpt') && !r.purpose.startsWith('excerpt-copy') && r.sentAt)
    .map((r) => r.sentAt as string)
    .sort()
    .at(-1);
  if (!published) throw new NotFoundError(`The decision of ${ref.municipalityId} is not published yet`);
  return publicNotice({
    round,
    municipality,
    proposal,
    decision,
    publishedOn: helsinkiDate(new Date(published)),
    today: helsinkiDate(deps.clock.now()),
  });
}
