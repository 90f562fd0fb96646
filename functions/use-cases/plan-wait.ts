/**
 * Before (and between) an official's waits: has the deadline passed, is a reminder due,
 * and how long may the next wait last. The workflow's Request* wait times out at the
 * returned time, comes back here, and either ends as no answer or waits again.
 */

import { formatDateFi } from '../domain/finnish.ts';
import { withLead } from '../domain/link-mails.ts';
import { planWait } from '../domain/reminders.ts';
import { answerDeadline } from '../domain/round.ts';
import { helsinkiDate, secondsUntil } from '../domain/time.ts';
import type { OfficialStep } from '../domain/types.ts';
import type { Deps } from './deps.ts';
import { mintLink, requestMail } from './link-mint.ts';
import { loadNomination } from './load.ts';
import { AWAITING } from './request-action.ts';

export interface PlanWaitInput {
  roundId: string;
  municipalityId: string;
  step: OfficialStep;
}

export interface PlanWaitOutput {
  expired: boolean;
  timeoutSeconds: number;
}

export function reminderPurpose(step: OfficialStep, daysBefore: number, attempt = 1): string {
  return attempt <= 1 ? `${step}-reminder-${daysBefore}` : `${step}-reminder-${daysBefore}-${attempt}`;
}

/**
 * 1. Deadline (the nomination's own, else the round's) passed → expired.
 * 2. A reminder due while the nomination waits on this step's open link → mail it once,
 *    with a fresh link (the raw token of the old one is not stored anywhere), which
 *    replaces the old link; the audit trail records it.
 * 3. The next wait lasts until the next reminder or the deadline, whichever is first.
 */
export async function planStepWait(input: PlanWaitInput, deps: Deps): Promise<PlanWaitOutput> {
  const ctx = await loadNomination(deps.store, input.roundId, input.municipalityId);
  const now = deps.clock.now();
  const deadline = answerDeadline(ctx.round, ctx.nomination);

  const wait = await deps.store.getWait(input.roundId, input.municipalityId, input.step);
  const link = wait ? await deps.store.getLink(wait.linkTokenHash) : undefined;
  const waiting = ctx.nomination.status === AWAITING[input.step] && link?.status === 'open';
  const plan = planWait({
    now,
    deadline,
    reminderDays: ctx.round.reminderDays,
    linkSentAt: waiting && link ? new Date(link.createdAt) : undefined,
  });
  if (plan.expired) return { expired: true, timeoutSeconds: 1 };

  if (plan.due && wait && link) {
    const purpose = reminderPurpose(input.step, plan.due.daysBefore, wait.attempt);
    const recipient = { name: link.recipientName, email: link.recipientEmail };
    const key = {
      roundId: input.roundId,
      scope: input.municipalityId,
      purpose,
      recipient: link.recipientEmail,
    };
    if (!(await deps.mailer.wasSent(key))) {
      const minted = await mintLink(ctx, input.step, recipient, purpose, deps);
      await deps.store.putWait({ ...wait, linkTokenHash: minted.link.tokenHash });
      await deps.store.supersedeLink(link.tokenHash);
      const days = plan.due.daysBefore;
      await deps.mailer.sendOnce(
        minted.mailKey,
        withLead(
          requestMail(ctx, input.step, minted.url),
          'Muistutus',
          `Muistutus: määräaika päättyy ${formatDateFi(helsinkiDate(deadline))} ` +
            `(${days} päivän kuluttua). Tämä viesti sisältää uuden linkin; aiempi linkki ei enää toimi.`,
        ),
      );
      await deps.store.addAudit({
        roundId: input.roundId,
        municipalityId: input.municipalityId,
        at: now.toISOString(),
        actor: 'system',
        action: `${input.step}-reminder-sent`,
        detail: `${days} days before the deadline, to ${link.recipientEmail}`,
      });
    }
  }
  return { expired: false, timeoutSeconds: secondsUntil(plan.wakeAt, now) };
}
