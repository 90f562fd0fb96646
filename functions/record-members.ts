import { productionDeps } from './shared/deps.ts';
import { stepHandler } from './shared/middleware.ts';
import { type NominationRef, recordMembers } from './use-cases/steps.ts';

const deps = productionDeps();

export const handler = stepHandler('RecordMembers', (event: NominationRef) => recordMembers(event, deps));
