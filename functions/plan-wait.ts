import { productionDepsWith, productionLinkSecret, productionMailer } from './shared/deps.ts';
import { stepHandler } from './shared/middleware.ts';
import { type PlanWaitInput, planStepWait } from './use-cases/plan-wait.ts';

const deps = productionDepsWith({ mailer: productionMailer(), linkSecret: productionLinkSecret() });

/** Before each official's wait: deadline passed?, a reminder due?, how long to wait. */
export const handler = stepHandler('PlanWait', (event: PlanWaitInput) => planStepWait(event, deps));
