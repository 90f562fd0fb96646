import { productionDepsWith } from './shared/deps.ts';
import { stepHandler } from './shared/middleware.ts';
import { recordRound } from './use-cases/record-round.ts';

const deps = productionDepsWith();

export const handler = stepHandler('RecordRound', (event: { roundId: string }) =>
  recordRound(event.roundId, deps),
);
