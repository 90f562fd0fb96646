import { productionDeps } from './shared/deps.ts';
import { stepHandler } from './shared/middleware.ts';
import { type NominationRef, sendExcerpts } from './use-cases/steps.ts';

const deps = productionDeps();

export const handler = stepHandler('SendExcerpts', (event: NominationRef) => sendExcerpts(event, deps));
