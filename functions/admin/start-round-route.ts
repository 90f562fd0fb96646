/**
 * POST /admin/rounds/new: starts a round from an uploaded round file. A function of its own
 * (admin-start-round.ts) because only this route needs the round-file parser and its
 * validation (yaml and zod/mini: about 140 KB): the console's function stays small and quick to start.
 * The form itself is a page of the console (routes.ts).
 */
import { ConflictError, ValidationError } from '../domain/errors.ts';
import type { RoundStarter } from '../domain/ports.ts';
import type { StartDeps } from '../use-cases/deps.ts';
import { startRoundAsAdmin } from '../use-cases/start-round.ts';
import { paths, renderStartRound } from './pages.ts';
import {
  type AdminAuthDeps,
  type AdminRequest,
  checkCsrf,
  formOf,
  notFound,
  page,
  type Result,
  redirect,
  requireConfirm,
} from './routes.ts';

export interface StartRoundHttpDeps extends AdminAuthDeps, StartDeps {
  rounds: RoundStarter;
}

export async function startRoundRoute(r: AdminRequest<StartRoundHttpDeps>): Promise<Result> {
  if (
    r.method !== 'POST' ||
    r.segments.length !== 2 ||
    r.segments[0] !== 'rounds' ||
    r.segments[1] !== 'new'
  ) {
    return notFound(r.ctx);
  }
  const { fields, file } = formOf(r.event);
  checkCsrf(r, fields);
  const ctx = { ...r.ctx, section: 'new' as const };
  try {
    requireConfirm(fields);
    const started = await startRoundAsAdmin(file?.text ?? '', r.principal.name, r.deps);
    if (!started.created) {
      // The same file twice (a double click, two admins, the CLI at the same moment): one round,
      // one execution; the later caller hears so.
      return page(
        409,
        renderStartRound(
          ctx,
          [
            {
              field: 'file',
              message: `Kierros "${started.round.id}" on jo aloitettu samalla kierrostiedostolla: mitään uutta ei tehty. Kierroksen tilanne: ${paths.round(started.round.id)}`,
            },
          ],
          file?.name,
        ),
      );
    }
    return redirect(`${paths.round(started.round.id)}?done=started`);
  } catch (error) {
    if (error instanceof ValidationError) {
      return page(422, renderStartRound(ctx, error.fieldErrors, file?.name));
    }
    if (error instanceof ConflictError || (error as Error).name === 'RoundAlreadyExistsError') {
      return page(
        409,
        renderStartRound(ctx, [{ field: 'id', message: (error as Error).message }], file?.name),
      );
    }
    throw error;
  }
}
