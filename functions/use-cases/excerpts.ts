import { createHash } from 'node:crypto';
import { appealDates } from '../domain/appeal.ts';
import { NotFoundError } from '../domain/errors.ts';
import {
  type ExcerptInput,
  type ExcerptRecipient,
  excerptDocument,
  excerptMail,
  excerptRecipients,
  excerptUndeliveredMail,
} from '../domain/excerpt.ts';
import { excerptPdf } from '../domain/excerpt-pdf.ts';
import type { OutboxRecord } from '../domain/ports.ts';
import { helsinkiDate } from '../domain/time.ts';
import type { Municipality, Round } from '../domain/types.ts';
import type { Deps } from './deps.ts';
import { loadNomination } from './load.ts';
import { type NominationRef, setStatus } from './nomination-status.ts';

/** Outbox purposes of the excerpt and its copies; corrected ones add `-corrected-<decision hash>`. */
const EXCERPT_PURPOSES: ReadonlySet<string> = new Set(['excerpt', 'excerpt-copy']);
const CORRECTED = '-corrected-';

export interface ExcerptSendResult {
  sent: number;
  /** Recipients SES refused for good; the organiser has been told of each. */
  failed: number;
}

/**
 * Sends the excerpt (ote) to the organiser and copies (tiedoksi) to the municipal board
 * and every nominee except the presenter, each once:
 * 1. load the nomination and its decision;
 * 2. compute the deemed receipt date and the correction deadline from today's date;
 * 3. lay out the excerpt once as a PDF;
 * 4. per recipient: send through the outbox with those dates (a retried step sends nothing
 *    twice); a permanent refusal tells the organiser's contact;
 * 5. mark the nomination excerpts_sent.
 */
export async function sendExcerpts(ref: NominationRef, deps: Deps): Promise<ExcerptSendResult> {
  const { round, municipality, group, nomination } = await loadNomination(
    deps.store,
    ref.roundId,
    ref.municipalityId,
  );
  const { decision, proposal } = nomination;
  if (!decision || !proposal) throw new Error(`Nomination ${ref.municipalityId} has no decision`);
  const result = await sendToEach(
    deps,
    { round, municipality, proposal, decision },
    group.name,
    excerptRecipients({ round, municipality, decision }),
    '',
  );
  await setStatus(deps, nomination, 'excerpts_sent');
  return result;
}

/**
 * A decision changed after its excerpts went out: sends a corrected excerpt, marked as
 * such, to everyone who got the first one (and to anyone the corrected decision adds).
 * 1. load the nomination and its (corrected) decision;
 * 2. find the excerpt's outbox rows: none means there is nothing to correct (NotFoundError);
 * 3. key the sends by a hash of the decision, so that a retry sends nothing twice and a
 *    second correction goes out again;
 * 4. send as in sendExcerpts, with "Oikaistu" in the heading and subject.
 * Called by sendCorrection (correct-decision.ts): the SendCorrection step of a corrected decision.
 */
export async function sendCorrectedExcerpts(ref: NominationRef, deps: Deps): Promise<ExcerptSendResult> {
  const { round, municipality, group, nomination } = await loadNomination(
    deps.store,
    ref.roundId,
    ref.municipalityId,
  );
  const { decision, proposal } = nomination;
  if (!decision || !proposal) throw new Error(`Nomination ${ref.municipalityId} has no decision`);
  const earlier = (await excerptDeliveries(ref, deps)).filter((r) => EXCERPT_PURPOSES.has(r.purpose));
  const firstSent = earlier
    .map((r) => r.sentAt)
    .filter((at): at is string => at !== undefined)
    .sort()[0];
  if (earlier.length === 0 || firstSent === undefined) {
    throw new NotFoundError(`No excerpt of ${ref.municipalityId} has been sent; nothing to correct`);
  }
  const recipients: ExcerptRecipient[] = [
    ...earlier.map((r) => ({
      email: r.recipient,
      name: r.recipient,
      purpose: r.purpose as ExcerptRecipient['purpose'],
    })),
    ...excerptRecipients({ round, municipality, decision }),
  ];
  const seen = new Set<string>();
  const unique = recipients.filter((r) => {
    const key = r.email.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const version = createHash('sha256')
    .update(
      JSON.stringify([decision.text, decision.meetingDate, decision.section, decision.diaryNumber ?? '']),
    )
    .update(JSON.stringify(decision.nominees.map((p) => [p.name, p.title, p.email.toLowerCase()])))
    .digest('hex')
    .slice(0, 12);
  return sendToEach(
    deps,
    {
      round,
      municipality,
      proposal,
      decision,
      correctionOf: { previousSentOn: helsinkiDate(new Date(firstSent)) },
    },
    group.name,
    unique,
    `${CORRECTED}${version}`,
  );
}

async function sendToEach(
  deps: Deps,
  input: ExcerptInput,
  groupName: string,
  recipients: ExcerptRecipient[],
  purposeSuffix: string,
): Promise<ExcerptSendResult> {
  const { round, municipality } = input;
  const now = deps.clock.now();
  const { sentOn, deemedReceivedOn, correctionDeadline } = appealDates(now, 'email');
  const pdf = await excerptPdf(excerptDocument({ ...input, sentOn }));
  let sent = 0;
  let failed = 0;
  for (const recipient of recipients) {
    const content = excerptMail({
      ...input,
      sentOn,
      pdf,
      groupName,
      copy: recipient.purpose === 'excerpt-copy',
    });
    const purpose = `${recipient.purpose}${purposeSuffix}`;
    const outcome = await deps.mailer.sendOnce(
      { roundId: round.id, scope: municipality.id, purpose, recipient: recipient.email },
      content,
      { deemedReceivedOn, correctionDeadline },
    );
    if (outcome === 'sent') sent++;
    if (outcome === 'failed') {
      failed++;
      await tellOrganiserUndelivered(
        deps,
        round,
        municipality,
        purpose,
        recipient.email,
        'SES hylkäsi viestin',
      );
    }
  }
  return { sent, failed };
}

/** The organiser's contact hears once per undelivered excerpt (a retry or a second event sends nothing). */
export async function tellOrganiserUndelivered(
  deps: Deps,
  round: Round,
  municipality: Municipality,
  purpose: string,
  recipient: string,
  reason: string,
): Promise<void> {
  await deps.mailer.sendOnce(
    {
      roundId: round.id,
      scope: municipality.id,
      purpose: `undelivered:${purpose}:${recipient.toLowerCase()}`,
      recipient: round.organiser.contact.email,
    },
    excerptUndeliveredMail({
      round,
      municipality,
      recipient,
      reason,
      corrected: purpose.includes(CORRECTED),
    }),
  );
}

/** Whether an outbox purpose is an excerpt or a copy, original or corrected. */
export function isExcerptPurpose(purpose: string): boolean {
  return EXCERPT_PURPOSES.has(purpose.split(CORRECTED)[0] ?? '') && !purpose.startsWith('undelivered:');
}

/**
 * The nomination's delivery record, per recipient of its excerpts: sent at, message id,
 * delivery state, deemed receipt date, correction deadline (the outbox rows themselves).
 */
export async function excerptDeliveries(ref: NominationRef, deps: Deps): Promise<OutboxRecord[]> {
  return (await deps.mailer.listSent(ref.roundId)).filter(
    (r) => r.scope === ref.municipalityId && isExcerptPurpose(r.purpose),
  );
}
