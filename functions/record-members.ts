import { productionDepsWith, productionMailer } from './shared/deps.ts';
import { stepHandler } from './shared/middleware.ts';
import { recordMembers } from './use-cases/members.ts';
import type { NominationRef } from './use-cases/nomination-status.ts';

const deps = productionDepsWith({ mailer: productionMailer() });

export const handler = stepHandler('RecordMembers', (event: NominationRef) => recordMembers(event, deps));
