import { productionDeps } from './shared/deps.ts';
import { stepHandler } from './shared/middleware.ts';
import { type RequestActionInput, requestAction } from './use-cases/request-action.ts';

const deps = productionDeps();

/** Serves the three waits (proposal, approval, decision): mails the step's link and stores the task token. */
export const handler = stepHandler('RequestAction', (event: RequestActionInput) =>
  requestAction(event, deps),
);
