import { scannerSign } from '../domain/link-opens.ts';
import type { Clock, Link, NominationStore } from '../domain/ports.ts';
import { log } from '../shared/logger.ts';

/**
 * Records that a link page was opened (GET or HEAD), for the nomination's timeline.
 * 1. Classify the open: the recipient, or a mail scanner (HEAD, scanner user agent,
 *    within seconds of the link being mailed).
 * 2. Count it on the link's open record: first and last open, how many, scanner-like ones
 *    apart; one UpdateItem, atomic, so concurrent opens are all counted.
 * Changes nothing else: the step keeps waiting, the link stays open. A failure to record
 * is logged and swallowed: the page must still show.
 */
export async function recordLinkOpened(
  link: Link,
  request: { method: string; userAgent?: string },
  deps: { store: Pick<NominationStore, 'recordLinkOpen'>; clock: Clock },
): Promise<void> {
  const now = deps.clock.now();
  try {
    await deps.store.recordLinkOpen({
      link,
      at: now.toISOString(),
      suspected: scannerSign(request, link.createdAt, now),
    });
  } catch (error) {
    log.warn('link open not recorded', {
      error: (error as Error)?.name,
      errorMessage: (error as Error)?.message,
    });
  }
}
