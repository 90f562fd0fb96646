import { productionDeps } from './shared/deps.ts';
import { stepHandler } from './shared/middleware.ts';
import type { NominationRef } from './use-cases/nomination-status.ts';
import { recordFailure, recordNoAnswer } from './use-cases/outcomes.ts';

const deps = productionDeps();

type OutcomeEvent = NominationRef &
  ({ outcome: 'no_answer' } | { outcome: 'failed'; failure: { Error?: string; Cause?: string } });

/** Ends a nomination that did not complete: no answer by the deadline, or a step that failed for good. */
export const handler = stepHandler('RecordOutcome', (event: OutcomeEvent) =>
  event.outcome === 'no_answer'
    ? recordNoAnswer(event, deps)
    : recordFailure(
        { ...event, error: event.failure.Error ?? 'Unknown', cause: event.failure.Cause ?? '' },
        deps,
      ),
);
