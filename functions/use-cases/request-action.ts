import { linkUrl, newLinkToken } from '../domain/link-token.ts';
import { approvalRequestMail, decisionRequestMail, proposalRequestMail } from '../domain/mail-texts.ts';
import type { MailContent } from '../domain/ports.ts';
import { actorOf, answerDeadline } from '../domain/round.ts';
import type { NominationStatus, OfficialStep } from '../domain/types.ts';
import type { Deps } from './deps.ts';
import { loadNomination, type NominationContext } from './load.ts';

export interface RequestActionInput {
  step: OfficialStep;
  roundId: string;
  municipalityId: string;
  /** The Step Functions task token of the waiting task. Stored, never sent anywhere. */
  taskToken: string;
}

export const AWAITING: Record<OfficialStep, NominationStatus> = {
  proposal: 'awaiting_proposal',
  approval: 'awaiting_approval',
  decision: 'awaiting_decision',
};

export function requestPurpose(step: OfficialStep): string {
  return `${step}-request`;
}

function requestMail(ctx: NominationContext, step: OfficialStep, url: string): MailContent {
  const { round, municipality, group, nomination } = ctx;
  if (step === 'proposal')
    return proposalRequestMail({ round, municipality, groupName: group.name, linkUrl: url });
  if (!nomination.proposal)
    throw new Error(`Nomination ${nomination.municipalityId} has no proposal for ${step}`);
  const args = { round, municipality, proposal: nomination.proposal, linkUrl: url };
  return step === 'approval' ? approvalRequestMail(args) : decisionRequestMail(args);
}

/**
 * A nomination step starts waiting for an official (the workflow's waitForTaskToken task).
 * 1. Remember the task token for this step (backend only).
 * 2. Unless a previous attempt already mailed a still-open link, mint a new link for the
 *    step's official and mail it; an older unmailed link is superseded.
 * 3. Mark the nomination as waiting on this step.
 * Safe to retry: the outbox sends each step's request once.
 */
export async function requestAction(input: RequestActionInput, deps: Deps): Promise<void> {
  const ctx = await loadNomination(deps.store, input.roundId, input.municipalityId);
  const now = deps.clock.now();
  const actor = actorOf(ctx.municipality, input.step);
  const mailKey = {
    roundId: input.roundId,
    scope: input.municipalityId,
    purpose: requestPurpose(input.step),
    recipient: actor.email,
  };

  const previous = await deps.store.getWait(input.roundId, input.municipalityId, input.step);
  const previousLink = previous ? await deps.store.getLink(previous.linkTokenHash) : undefined;
  if (previous && previousLink?.status === 'open' && (await deps.mailer.wasSent(mailKey))) {
    await deps.store.putWait({ ...previous, taskToken: input.taskToken, openedAt: now.toISOString() });
  } else {
    const { token, tokenHash } = newLinkToken();
    await deps.store.putLink({
      tokenHash,
      roundId: input.roundId,
      municipalityId: input.municipalityId,
      step: input.step,
      recipientEmail: actor.email,
      recipientName: actor.name,
      status: 'open',
      createdAt: now.toISOString(),
      expiresAt: answerDeadline(ctx.round).toISOString(),
    });
    await deps.store.putWait({
      roundId: input.roundId,
      municipalityId: input.municipalityId,
      step: input.step,
      taskToken: input.taskToken,
      linkTokenHash: tokenHash,
      openedAt: now.toISOString(),
    });
    if (previousLink) await deps.store.supersedeLink(previousLink.tokenHash);
    await deps.mailer.sendOnce(mailKey, requestMail(ctx, input.step, linkUrl(deps.publicBaseUrl, token)));
  }

  if (ctx.nomination.status !== AWAITING[input.step]) {
    await deps.store.saveNomination({
      ...ctx.nomination,
      status: AWAITING[input.step],
      updatedAt: now.toISOString(),
      version: ctx.nomination.version + 1,
    });
  }
}
