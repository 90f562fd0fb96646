import { productionDeps } from './shared/deps.ts';
import { stepHandler } from './shared/middleware.ts';
import { completeRound } from './use-cases/members.ts';

const deps = productionDeps();

export const handler = stepHandler('CompleteRound', (event: { roundId: string }) =>
  completeRound(event.roundId, deps),
);
