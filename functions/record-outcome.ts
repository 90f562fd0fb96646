import { productionDepsWith, productionMailer } from './shared/deps.ts';
import { stepHandler } from './shared/middleware.ts';
import type { NominationRef } from './use-cases/nomination-status.ts';
import { recordFailure, recordNoAnswer } from './use-cases/outcomes.ts';
import { recordRejected } from './use-cases/rejected.ts';

const deps = productionDepsWith({ mailer: productionMailer() });

type OutcomeEvent = NominationRef &
  (
    | { outcome: 'no_answer' }
    | { outcome: 'rejected' }
    | { outcome: 'failed'; failure: { Error?: string; Cause?: string } }
  );

/** Ends a nomination without members: no answer by the deadline, rejected by the committee, or a step that failed for good. */
export const handler = stepHandler('RecordOutcome', (event: OutcomeEvent) => {
  if (event.outcome === 'no_answer') return recordNoAnswer(event, deps);
  if (event.outcome === 'rejected') return recordRejected(event, deps);
  return recordFailure(
    { ...event, error: event.failure.Error ?? 'Unknown', cause: event.failure.Cause ?? '' },
    deps,
  );
});
