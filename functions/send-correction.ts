import { productionDepsWith, productionMailer } from './shared/deps.ts';
import { stepHandler } from './shared/middleware.ts';
import { sendCorrection } from './use-cases/correct-decision.ts';
import type { NominationRef } from './use-cases/nomination-status.ts';

const deps = productionDepsWith({ mailer: productionMailer() });

/** Counts only: the step's output lands in the execution history, names and addresses must not. */
export const handler = stepHandler('SendCorrection', async (event: NominationRef) => {
  const { excerpts, members } = await sendCorrection(event, deps);
  return { ...excerpts, leaving: members?.leaving.length ?? 0, joining: members?.joining.length ?? 0 };
});
