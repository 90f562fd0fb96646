import { productionDeps } from './shared/deps.ts';
import { stepHandler } from './shared/middleware.ts';
import { recordMembers } from './use-cases/members.ts';
import type { NominationRef } from './use-cases/nomination-status.ts';

const deps = productionDeps();

export const handler = stepHandler('RecordMembers', (event: NominationRef) => recordMembers(event, deps));
