/** The admin console's audit trail: who did what to a round or a nomination, and when. */
import type { Deps } from './deps.ts';

/** The audit trail's scope for actions on a whole round. */
export const ROUND_AUDIT_SCOPE = 'round';

/** Records an admin's action (`scope`: a municipality id, or ROUND_AUDIT_SCOPE for the whole round). */
export async function audit(
  deps: Pick<Deps, 'store' | 'clock'>,
  roundId: string,
  scope: string,
  actor: string,
  action: string,
  detail?: string,
) {
  await deps.store.addAudit({
    roundId,
    municipalityId: scope,
    at: deps.clock.now().toISOString(),
    actor,
    action,
    detail,
  });
}
