/**
 * Before (and between) an official's waits: has the deadline passed, is a reminder due,
 * and how long may the next wait last. The workflow's Request* wait times out at the
 * returned time, comes back here, and either ends as no answer or waits again.
 */

import { formatDateFi } from '../domain/finnish.ts';
import { withLead } from '../domain/link-mails.ts';
import { type Link, waitLinkHashes } from '../domain/ports.ts';
import { planWait } from '../domain/reminders.ts';
import { answerDeadline } from '../domain/round.ts';
import { helsinkiDate, secondsUntil } from '../domain/time.ts';
import type { OfficialStep } from '../domain/types.ts';
import type { Deps } from './deps.ts';
import { mintLink, requestMail } from './link-mint.ts';
import { loadNominationAndWait, type NominationContext } from './load.ts';
import { checksMinutes, withCheckerLink } from './minute-check.ts';
import { AWAITING, requestPurpose } from './request-action.ts';

export interface PlanWaitInput {
  roundId: string;
  municipalityId: string;
  step: OfficialStep;
}

export interface PlanWaitOutput {
  expired: boolean;
  timeoutSeconds: number;
  /** The step does not apply to this nomination (a minute check without checkers): go past it. */
  skip: boolean;
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
  const { wait, ...ctx } = await loadNominationAndWait(
    deps.store,
    input.roundId,
    input.municipalityId,
    input.step,
  );
  if (input.step === 'minute_check' && !checksMinutes(ctx.municipality)) {
    return { expired: false, timeoutSeconds: 1, skip: true };
  }
  const now = deps.clock.now();
  const deadline = answerDeadline(ctx.round, ctx.nomination);
  const plan = planWait({ now, deadline, reminderDays: ctx.round.reminderDays });
  if (plan.expired) return { expired: true, timeoutSeconds: 1, skip: false };

  // One link per step; the minute check has one per checker, each reminded on its own.
  for (const hash of wait ? waitLinkHashes(wait).filter((h) => h !== '') : []) {
    const link = await deps.store.getLink(hash);
    if (!wait || !link || link.status !== 'open' || ctx.nomination.status !== AWAITING[input.step]) continue;
    // A link whose mail never went out (a reminder that failed half-way: SES throttled, the
    // function died) was never in the official's hands: plan from when the wait began, so the
    // reminder is due again and goes out with a fresh link.
    const mailed = await deps.mailer.wasSent({
      roundId: input.roundId,
      scope: input.municipalityId,
      purpose: link.mailPurpose ?? requestPurpose(input.step, wait.attempt),
      recipient: link.recipientEmail,
    });
    const due = planWait({
      now,
      deadline,
      reminderDays: ctx.round.reminderDays,
      linkSentAt: new Date(mailed ? link.createdAt : wait.openedAt),
    }).due;
    if (due) await remind(ctx, input.step, link, due.daysBefore, wait.attempt, deadline, deps);
  }
  return { expired: false, timeoutSeconds: secondsUntil(plan.wakeAt, now), skip: false };
}

/** Mails a reminder once, with a fresh link that replaces the one in the official's hands. */
async function remind(
  ctx: NominationContext,
  step: OfficialStep,
  link: Link,
  days: number,
  attempt: number | undefined,
  deadline: Date,
  deps: Deps,
): Promise<void> {
  const purpose = reminderPurpose(step, days, attempt);
  const recipient = { name: link.recipientName, email: link.recipientEmail };
  const key = { roundId: ctx.round.id, scope: ctx.municipality.id, purpose, recipient: link.recipientEmail };
  if (await deps.mailer.wasSent(key)) return;
  const minted = await mintLink(ctx, step, recipient, purpose, deps);
  // Re-read: another checker's reminder may have just replaced their own link.
  const wait = await deps.store.getWait(ctx.round.id, ctx.municipality.id, step);
  if (!wait) return;
  await deps.store.putWait(
    step === 'minute_check'
      ? withCheckerLink(wait, link.tokenHash, { ...recipient, tokenHash: minted.link.tokenHash })
      : { ...wait, linkTokenHash: minted.link.tokenHash },
  );
  await deps.store.supersedeLink(link.tokenHash);
  await deps.mailer.sendOnce(
    minted.mailKey,
    withLead(
      requestMail(ctx, step, minted.url, recipient),
      'Muistutus',
      `Muistutus: määräaika päättyy ${formatDateFi(helsinkiDate(deadline))} ` +
        `(${days} päivän kuluttua). Tämä viesti sisältää uuden linkin; aiempi linkki ei enää toimi.`,
    ),
  );
  await deps.store.addAudit({
    roundId: ctx.round.id,
    municipalityId: ctx.municipality.id,
    at: deps.clock.now().toISOString(),
    actor: 'system',
    action: `${step}-reminder-sent`,
    detail: `${days} days before the deadline, to ${link.recipientEmail}`,
  });
}
