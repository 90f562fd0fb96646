import { productionDepsWith, productionMailer } from './shared/deps.ts';
import { stepHandler } from './shared/middleware.ts';
import { completeRound } from './use-cases/members.ts';

const deps = productionDepsWith({ mailer: productionMailer() });

export const handler = stepHandler('CompleteRound', (event: { roundId: string }) =>
  completeRound(event.roundId, deps),
);
