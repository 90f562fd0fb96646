import { withLead } from '../domain/link-mails.ts';
import { actorOf } from '../domain/round.ts';
import type { NominationStatus, OfficialStep } from '../domain/types.ts';
import type { Deps } from './deps.ts';
import { mintLink, requestMail } from './link-mint.ts';
import { type loadNomination, loadNominationAndWait } from './load.ts';
import { requestMinuteCheck } from './minute-check.ts';

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
  minute_check: 'awaiting_minute_check',
};

/** The outbox purpose of a step's request: `proposal-request`, then `proposal-request-2` when the step is entered again. */
export function requestPurpose(step: OfficialStep, attempt = 1): string {
  return attempt <= 1 ? `${step}-request` : `${step}-request-${attempt}`;
}

/** Why a step is requested again: the lead paragraph of its mail. */
function againLead(ctx: Awaited<ReturnType<typeof loadNomination>>, step: OfficialStep) {
  const { nomination } = ctx;
  if (step === 'proposal' && nomination.returned) {
    const comment = nomination.returned.comment ? `\n\nKommentti: ${nomination.returned.comment}` : '';
    return {
      prefix: 'Palautettu valmisteluun',
      lead: `${nomination.returned.byName} palautti ehdotuksen valmisteltavaksi uudelleen.${comment}`,
    };
  }
  const objection = nomination.minuteCheck?.objection;
  if (
    step === 'decision' &&
    objection &&
    nomination.minuteCheck?.decidedAt === nomination.decision?.decidedAt
  ) {
    return {
      prefix: 'Korjattavaa pöytäkirjassa',
      lead:
        `Pöytäkirjantarkastaja ${objection.byName} ilmoitti pykälässä korjattavaa:\n\n${objection.comment}\n\n` +
        'Kirjaa korjattu päätös tällä uudella linkillä; tarkastajat saavat korjatun pykälän tarkastettavaksi.',
    };
  }
  if (step === 'decision' && nomination.tabled) {
    return {
      prefix: 'Pöydätty',
      lead: `Asia pantiin pöydälle. Kirjaa päätös tällä uudella linkillä kokouksen ${nomination.tabled.nextMeetingDate} jälkeen.`,
    };
  }
  if (step === 'approval') {
    return {
      prefix: 'Korjattu ehdotus',
      lead: 'Valmistelija on korjannut palautetun ehdotuksen. Aiempi linkki ei enää toimi.',
    };
  }
  return {
    prefix: 'Uudelleen käsiteltäväksi',
    lead: 'Asia palasi tähän vaiheeseen. Aiempi linkki ei enää toimi.',
  };
}

/**
 * A nomination step starts waiting for an official (the workflow's waitForTaskToken task).
 * 1. If a submit arrived while this step's previous wait had just timed out, hand its
 *    result to the new task at once.
 * 2. Mark the nomination as waiting on this step; remember the task token (backend only).
 * 3. If the step's current link is open and was mailed (a retry, or the wait coming back
 *    after a reminder), keep it; otherwise the step is entered anew: mint a fresh link for
 *    the step's official, mail it under a purpose of its own, supersede the old one.
 * Safe to retry: the outbox sends each attempt's request once.
 */
export async function requestAction(input: RequestActionInput, deps: Deps): Promise<void> {
  const { wait: previous, ...ctx } = await loadNominationAndWait(
    deps.store,
    input.roundId,
    input.municipalityId,
    input.step,
  );
  const now = deps.clock.now();

  if (previous?.pendingOutput) {
    const { pendingOutput, ...rest } = previous;
    await deps.store.putWait({ ...rest, taskToken: input.taskToken, openedAt: now.toISOString() });
    await deps.callbacks.succeed(input.taskToken, pendingOutput);
    return;
  }
  if (input.step === 'minute_check') {
    await requestMinuteCheck(ctx, input.taskToken, previous, (n) => requestPurpose('minute_check', n), deps);
    return;
  }
  const step = input.step;
  // The nomination waits on this step before any link goes out: a link opened the moment
  // its mail arrives must find it so.
  if (ctx.nomination.status !== AWAITING[step]) {
    const next = {
      ...ctx.nomination,
      status: AWAITING[step],
      updatedAt: now.toISOString(),
      version: ctx.nomination.version + 1,
    };
    await deps.store.saveNomination(next);
    ctx.nomination = next;
  }
  const previousLink = previous ? await deps.store.getLink(previous.linkTokenHash) : undefined;
  const previousAttempt = previous?.attempt ?? 1;
  const mailed =
    previousLink?.status === 'open' &&
    (await deps.mailer.wasSent({
      roundId: input.roundId,
      scope: input.municipalityId,
      purpose: previousLink.mailPurpose ?? requestPurpose(step),
      recipient: previousLink.recipientEmail,
    }));

  if (previous && mailed) {
    await deps.store.putWait({ ...previous, taskToken: input.taskToken, openedAt: now.toISOString() });
  } else {
    // A link that is open but unmailed is this attempt's (a retry); used or superseded means a new entry.
    const attempt = !previous ? 1 : previousLink?.status === 'open' ? previousAttempt : previousAttempt + 1;
    const minted = await mintLink(
      ctx,
      step,
      actorOf(ctx.municipality, step),
      requestPurpose(step, attempt),
      deps,
    );
    await deps.store.putWait({
      roundId: input.roundId,
      municipalityId: input.municipalityId,
      step: step,
      taskToken: input.taskToken,
      linkTokenHash: minted.link.tokenHash,
      openedAt: now.toISOString(),
      attempt,
    });
    if (previousLink?.status === 'open') await deps.store.supersedeLink(previousLink.tokenHash);
    const body = requestMail(ctx, step, minted.url);
    const again = againLead(ctx, step);
    await deps.mailer.sendOnce(minted.mailKey, attempt > 1 ? withLead(body, again.prefix, again.lead) : body);
  }
}
