import { continuesVisit, scannerSign } from '../domain/link-opens.ts';
import type { Clock, Link, LinkOpen, NominationStore } from '../domain/ports.ts';
import { log } from '../shared/logger.ts';

/**
 * Records that a link page was opened (GET or HEAD), for the nomination's timeline.
 * 1. Classify the open: the recipient, or a mail scanner (HEAD, scanner user agent,
 *    within seconds of the link being mailed).
 * 2. An open that continues the visit the record already counts (`previous`, read with the
 *    page: same kind, within a minute of the last) is not written again: a reload costs no write.
 * 3. Else count it on the link's open record: first and last open, how many, scanner-like ones
 *    apart; one UpdateItem, atomic, so concurrent opens are all counted.
 * Changes nothing else: the step keeps waiting, the link stays open. A failure to record
 * is logged and swallowed: the page must still show.
 */
export async function recordLinkOpened(
  link: Link,
  request: { method: string; userAgent?: string },
  deps: { store: Pick<NominationStore, 'recordLinkOpen'>; clock: Clock },
  previous?: LinkOpen,
): Promise<void> {
  const now = deps.clock.now();
  const suspected = scannerSign(request, link.createdAt, now);
  if (continuesVisit(previous, suspected, now)) return;
  try {
    await deps.store.recordLinkOpen({ link, at: now.toISOString(), suspected });
  } catch (error) {
    log.warn('link open not recorded', {
      error: (error as Error)?.name,
      errorMessage: (error as Error)?.message,
    });
  }
}
