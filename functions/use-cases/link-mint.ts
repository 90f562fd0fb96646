/** Minting an official's link: one place for the token, the stored hash, the expiry and the mail. */
import { randomBytes } from 'node:crypto';
import { linkUrl, newLinkToken } from '../domain/link-token.ts';
import {
  approvalRequestMail,
  decisionRequestMail,
  minuteCheckRequestMail,
  proposalRequestMail,
} from '../domain/mail-texts.ts';
import type { Link, MailContent, MailKey } from '../domain/ports.ts';
import { answerDeadline, roundAsSeenBy } from '../domain/round.ts';
import type { OfficialStep, Person } from '../domain/types.ts';
import type { Deps } from './deps.ts';
import type { NominationContext } from './load.ts';

/**
 * The step's request mail for a link (the round's texts with the nomination's own deadline).
 * @param recipient whom the link is for: the minute check has a link per checker
 */
export function requestMail(
  ctx: NominationContext,
  step: OfficialStep,
  url: string,
  recipient?: Pick<Person, 'name'>,
): MailContent {
  const { municipality, group, nomination } = ctx;
  const round = roundAsSeenBy(ctx.round, nomination);
  if (step === 'proposal')
    return proposalRequestMail({ round, municipality, groupName: group.name, linkUrl: url });
  if (step === 'minute_check') {
    if (!nomination.decision || !recipient)
      throw new Error(
        `Nomination ${nomination.municipalityId} has no decision or checker for the minute check`,
      );
    return minuteCheckRequestMail({
      round,
      municipality,
      decision: nomination.decision,
      checker: recipient,
      linkUrl: url,
    });
  }
  if (!nomination.proposal)
    throw new Error(`Nomination ${nomination.municipalityId} has no proposal for ${step}`);
  const args = { round, municipality, proposal: nomination.proposal, linkUrl: url };
  return step === 'approval' ? approvalRequestMail(args) : decisionRequestMail(args);
}

export interface MintedLink {
  link: Link;
  /** The raw token: goes into the mail only, never stored or logged. */
  url: string;
  mailKey: MailKey;
}

/** Stores a new open link for one recipient of a nomination's step; the caller mails `url`. */
export async function mintLink(
  ctx: NominationContext,
  step: OfficialStep,
  recipient: Pick<Person, 'name' | 'email'>,
  mailPurpose: string,
  deps: Pick<Deps, 'store' | 'clock' | 'publicBaseUrl' | 'linkSecret'>,
): Promise<MintedLink> {
  const { token, tokenHash } = newLinkToken(await deps.linkSecret());
  const link: Link = {
    tokenHash,
    roundId: ctx.round.id,
    municipalityId: ctx.municipality.id,
    step,
    recipientEmail: recipient.email,
    recipientName: recipient.name,
    status: 'open',
    createdAt: deps.clock.now().toISOString(),
    expiresAt: answerDeadline(ctx.round, ctx.nomination).toISOString(),
    mailPurpose,
    csrf: randomBytes(16).toString('base64url'),
  };
  await deps.store.putLink(link);
  return {
    link,
    url: linkUrl(deps.publicBaseUrl, token),
    mailKey: {
      roundId: ctx.round.id,
      scope: ctx.municipality.id,
      purpose: mailPurpose,
      recipient: recipient.email,
    },
  };
}
