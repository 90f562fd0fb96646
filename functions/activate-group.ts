import { productionDepsWith, productionMailer } from './shared/deps.ts';
import { stepHandler } from './shared/middleware.ts';
import { activateGroup } from './use-cases/members.ts';

const deps = productionDepsWith({ mailer: productionMailer() });

export const handler = stepHandler('ActivateGroup', (event: { roundId: string; groupId: string }) =>
  activateGroup(event, deps),
);
