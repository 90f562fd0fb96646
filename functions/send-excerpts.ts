import { productionDepsWith, productionMailer } from './shared/deps.ts';
import { stepHandler } from './shared/middleware.ts';
import { sendExcerpts } from './use-cases/excerpts.ts';
import type { NominationRef } from './use-cases/nomination-status.ts';

const deps = productionDepsWith({ mailer: productionMailer() });

export const handler = stepHandler('SendExcerpts', (event: NominationRef) => sendExcerpts(event, deps));
