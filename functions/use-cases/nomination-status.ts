import type { Nomination, NominationStatus } from '../domain/types.ts';
import type { Deps } from './deps.ts';

export interface NominationRef {
  roundId: string;
  municipalityId: string;
}

/** Moves a nomination to a status; a retried step that finds it there already does nothing. */
export async function setStatus(
  deps: Pick<Deps, 'store' | 'clock'>,
  nomination: Nomination,
  status: NominationStatus,
  extra: Partial<Nomination> = {},
): Promise<void> {
  if (nomination.status === status) return; // a retried step
  await deps.store.saveNomination({
    ...nomination,
    ...extra,
    status,
    updatedAt: deps.clock.now().toISOString(),
    version: nomination.version + 1,
  });
}
