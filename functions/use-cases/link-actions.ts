import { LinkNotUsableError, NotFoundError } from '../domain/errors.ts';
import { proposalText } from '../domain/finnish.ts';
import { parseApprovalForm, parseDecisionForm, parseProposalForm } from '../domain/forms.ts';
import { hashClientAddress, hashToken, LINK_TOKEN_PATTERN } from '../domain/link-token.ts';
import type { Link } from '../domain/ports.ts';
import { stepTimeoutSeconds } from '../domain/round.ts';
import type { Nomination, OfficialStep } from '../domain/types.ts';
import type { Deps } from './deps.ts';
import { loadNomination, type NominationContext } from './load.ts';
import { AWAITING } from './request-action.ts';

export interface LinkView extends NominationContext {
  link: Link;
  step: OfficialStep;
  /**
   * The proposal text the form starts with: the minute's sentence built from the nominees
   * proposed so far; empty before anyone is proposed (the text is then composed on submit).
   */
  defaultProposalText: string;
}

export interface ClientInfo {
  ip?: string;
  userAgent?: string;
}

/**
 * Opens a link for viewing. Changes nothing (mail scanners fetch links too).
 * Throws NotFoundError for an unknown token, LinkNotUsableError when it can no longer act.
 */
export async function openLink(token: string, deps: Pick<Deps, 'store' | 'clock'>): Promise<LinkView> {
  if (!LINK_TOKEN_PATTERN.test(token)) throw new NotFoundError('Malformed link token');
  const link = await deps.store.getLink(hashToken(token));
  if (!link) throw new NotFoundError('Unknown link token');
  if (link.status === 'used') throw new LinkNotUsableError('used', `Link used at ${link.usedAt}`);
  if (link.status === 'superseded') throw new LinkNotUsableError('superseded', 'Link superseded');
  if (Date.parse(link.expiresAt) <= deps.clock.now().getTime()) {
    throw new LinkNotUsableError('expired', `Link expired at ${link.expiresAt}`);
  }
  const ctx = await loadNomination(deps.store, link.roundId, link.municipalityId);
  if (ctx.nomination.status !== AWAITING[link.step]) {
    throw new LinkNotUsableError(
      'superseded',
      `Nomination is ${ctx.nomination.status}, not waiting for ${link.step}`,
    );
  }
  const nominees = ctx.nomination.proposal?.nominees ?? [];
  return {
    ...ctx,
    link,
    step: link.step,
    defaultProposalText:
      nominees.length === 0
        ? ''
        : proposalText({
            bodyName: ctx.municipality.body.name,
            organiserName: ctx.round.organiser.name,
            municipalityName: ctx.municipality.name,
            nominees,
          }),
  };
}

function applyForm(view: LinkView, fields: Record<string, string>, at: string): Nomination {
  const { nomination, round, municipality, link } = view;
  const next = { ...nomination, updatedAt: at, version: nomination.version + 1 };
  switch (view.step) {
    case 'proposal': {
      const { nominees, text } = parseProposalForm(fields, round.seats);
      const finalText =
        text ||
        proposalText({
          bodyName: municipality.body.name,
          organiserName: round.organiser.name,
          municipalityName: municipality.name,
          nominees,
        });
      return {
        ...next,
        status: 'awaiting_approval',
        proposal: { nominees, text: finalText, submittedAt: at, submittedBy: link.recipientEmail },
      };
    }
    case 'approval': {
      parseApprovalForm(fields);
      return {
        ...next,
        status: 'awaiting_decision',
        approval: { approvedAt: at, approvedBy: link.recipientEmail },
      };
    }
    case 'decision': {
      if (!nomination.proposal) throw new NotFoundError('No proposal to decide on');
      const decision = parseDecisionForm(fields, round.seats, nomination.proposal);
      return {
        ...next,
        status: 'decided',
        decision: { ...decision, decidedAt: at, recordedBy: link.recipientEmail },
      };
    }
  }
}

/**
 * An official submits a link's form.
 * 1. Check the link can act, and validate the form (a ValidationError stores nothing).
 * 2. Claim the link: exactly one of any number of concurrent submits wins.
 * 3. Save the nomination (optimistic lock); on failure release the claim.
 * 4. Resume the waiting workflow step with the time left until the deadline.
 * 5. Record the action in the audit trail.
 */
export async function submitLink(
  token: string,
  fields: Record<string, string>,
  client: ClientInfo,
  deps: Deps,
): Promise<{ view: LinkView; nomination: Nomination }> {
  const view = await openLink(token, deps);
  const now = deps.clock.now();
  const at = now.toISOString();
  const next = applyForm(view, fields, at);

  await deps.store.useLink(view.link.tokenHash, at);
  try {
    await deps.store.saveNomination(next);
  } catch (error) {
    await deps.store.reopenLink(view.link.tokenHash);
    throw error;
  }
  const wait = await deps.store.getWait(view.round.id, view.municipality.id, view.step);
  if (!wait) throw new NotFoundError(`No workflow is waiting for ${view.step}`);
  await deps.callbacks.succeed(wait.taskToken, {
    step: view.step,
    timeoutSeconds: stepTimeoutSeconds(view.round, now),
  });
  await deps.store.addAudit({
    roundId: view.round.id,
    municipalityId: view.municipality.id,
    at,
    actor: view.link.recipientEmail,
    action: `${view.step}-submitted`,
    clientIpHash: client.ip ? hashClientAddress(client.ip) : undefined,
    userAgent: client.userAgent?.slice(0, 300),
  });
  return { view, nomination: next };
}
