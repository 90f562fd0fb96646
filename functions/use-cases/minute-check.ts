/**
 * Minutes checking (pöytäkirjan tarkastus). When a municipality's entry lists minute
 * checkers, each of them approves the decided section through a link of their own, and
 * the excerpt goes out only after all have. One workflow task (RequestMinuteCheck) waits
 * for the whole check: the approval that completes it resumes the task; an objection
 * sends the decision back to the committee secretary, and the check starts again from
 * the corrected decision.
 */
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors.ts';
import { withLead } from '../domain/link-mails.ts';
import type { CheckerLink, StepOutput, StepWait } from '../domain/ports.ts';
import type { MinuteCheck, Municipality, Nomination, Person } from '../domain/types.ts';
import type { Deps } from './deps.ts';
import { mintLink, requestMail } from './link-mint.ts';
import { loadNomination, type NominationContext } from './load.ts';

type Checker = Pick<Person, 'name' | 'email'>;

const sameEmail = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** Whether this municipality's decisions are checked before the excerpt goes out. */
export function checksMinutes(municipality: Municipality): boolean {
  return (municipality.minuteCheckers?.length ?? 0) > 0;
}

/** The checkers who have not yet approved. */
export function pendingCheckers(check: MinuteCheck): Checker[] {
  return check.checkers.filter((c) => !check.approvals.some((a) => sameEmail(a.email, c.email)));
}

/** The check of the decision in force: the ongoing one, or a fresh one for a new decision. */
export function checkFor(nomination: Nomination, municipality: Municipality): MinuteCheck {
  const decision = nomination.decision;
  if (!decision) throw new Error(`Nomination ${nomination.municipalityId} has no decision to check`);
  const current = nomination.minuteCheck;
  if (current && current.decidedAt === decision.decidedAt) return current;
  return {
    decidedAt: decision.decidedAt,
    checkers: (municipality.minuteCheckers ?? []).map(({ name, email }) => ({ name, email })),
    approvals: [],
  };
}

/** The wait with one checker's link replaced (a reminder, a resend, a hand-off). */
export function withCheckerLink(wait: StepWait, previousHash: string, next: CheckerLink): StepWait {
  const links = (wait.links ?? []).map((l) => (l.tokenHash === previousHash ? next : l));
  return { ...wait, links, linkTokenHash: links[0]?.tokenHash ?? wait.linkTokenHash };
}

export interface CheckAnswer {
  next: Nomination;
  /** Present when the workflow moves: the check is complete, or a checker objected. */
  output?: StepOutput;
  detail?: string;
}

/**
 * A checker's answer applied to the nomination as it is now (pure). Approvals are a set:
 * the answer that completes it is the one that resumes the workflow.
 */
export function applyCheckAnswer(
  nomination: Nomination,
  municipality: Municipality,
  checker: Checker,
  answer: { approve: true } | { approve: false; comment: string },
  at: string,
): CheckAnswer {
  const check = checkFor(nomination, municipality);
  const base = { ...nomination, updatedAt: at, version: nomination.version + 1 };
  if (!answer.approve) {
    return {
      next: {
        ...base,
        status: 'awaiting_decision',
        minuteCheck: {
          ...check,
          objection: { comment: answer.comment, at, by: checker.email, byName: checker.name },
        },
      },
      output: { step: 'minute_check', outcome: 'returned' },
      detail: answer.comment,
    };
  }
  const approvals = check.approvals.some((a) => sameEmail(a.email, checker.email))
    ? check.approvals
    : [...check.approvals, { email: checker.email, name: checker.name, at }];
  const nextCheck = { ...check, approvals };
  const complete = pendingCheckers(nextCheck).length === 0;
  return {
    next: { ...base, status: complete ? 'decided' : 'awaiting_minute_check', minuteCheck: nextCheck },
    output: complete ? { step: 'minute_check', outcome: 'checked' } : undefined,
  };
}

/**
 * The workflow's RequestMinuteCheck task starts (or its wait comes back after a reminder).
 * 1. Mark the nomination as waiting on the check of the decision in force.
 * 2. Every checker who has not approved gets a link of their own, mailed once per entry
 *    of the step (a retry or a wait coming back keeps the links already mailed).
 * 3. Links of an earlier check (a decision since corrected) stop working.
 * The caller has handled an answer parked while the task was between waits.
 */
export async function requestMinuteCheck(
  ctx: NominationContext,
  taskToken: string,
  previous: StepWait | undefined,
  requestPurpose: (attempt: number) => string,
  deps: Deps,
): Promise<void> {
  const now = deps.clock.now().toISOString();
  const check = checkFor(ctx.nomination, ctx.municipality);
  if (ctx.nomination.status !== 'awaiting_minute_check' || ctx.nomination.minuteCheck !== check) {
    const next: Nomination = {
      ...ctx.nomination,
      status: 'awaiting_minute_check',
      minuteCheck: check,
      updatedAt: now,
      version: ctx.nomination.version + 1,
    };
    await deps.store.saveNomination(next);
    ctx.nomination = next;
  }
  const pending = pendingCheckers(check);
  if (pending.length === 0) {
    // Every checker approved but the task never heard (its answer was lost): go on.
    await deps.store.putWait({
      roundId: ctx.round.id,
      municipalityId: ctx.municipality.id,
      step: 'minute_check',
      taskToken,
      linkTokenHash: previous?.linkTokenHash ?? '',
      links: [],
      forDecision: check.decidedAt,
      openedAt: now,
      attempt: previous?.attempt ?? 1,
    });
    await deps.callbacks.succeed(taskToken, { step: 'minute_check', outcome: 'checked' });
    return;
  }

  const sameCheck = previous?.forDecision === check.decidedAt;
  const attempt = !previous ? 1 : sameCheck ? (previous.attempt ?? 1) : (previous.attempt ?? 1) + 1;
  const purpose = requestPurpose(attempt);
  const links: CheckerLink[] = [];
  const toMail: Array<{ checker: Checker; url: string; mailKey: Parameters<Deps['mailer']['sendOnce']>[0] }> =
    [];
  const replaced: string[] = [];
  for (const checker of pending) {
    const existing = sameCheck ? previous?.links?.find((l) => sameEmail(l.email, checker.email)) : undefined;
    const key = { roundId: ctx.round.id, scope: ctx.municipality.id, purpose, recipient: checker.email };
    if (existing && (await deps.mailer.wasSent(key))) {
      links.push(existing);
      continue;
    }
    const minted = await mintLink(ctx, 'minute_check', checker, purpose, deps);
    links.push({ email: checker.email, name: checker.name, tokenHash: minted.link.tokenHash });
    toMail.push({ checker, url: minted.url, mailKey: minted.mailKey });
    if (existing) replaced.push(existing.tokenHash);
  }
  const kept = new Set(links.map((l) => l.tokenHash));
  for (const old of previous?.links ?? []) if (!kept.has(old.tokenHash)) replaced.push(old.tokenHash);

  // The wait points at the new links before any mail goes out: a link opened the moment
  // its mail arrives must find the check waiting for it.
  await deps.store.putWait({
    roundId: ctx.round.id,
    municipalityId: ctx.municipality.id,
    step: 'minute_check',
    taskToken,
    linkTokenHash: links[0]?.tokenHash ?? '',
    links,
    forDecision: check.decidedAt,
    openedAt: now,
    attempt,
  });
  for (const hash of new Set(replaced)) await deps.store.supersedeLink(hash);
  for (const { checker, url, mailKey } of toMail) {
    const body = requestMail(ctx, 'minute_check', url, checker);
    await deps.mailer.sendOnce(
      mailKey,
      attempt > 1
        ? withLead(
            body,
            'Korjattu pykälä',
            'Pykälää on korjattu tarkastuksessa ilmoitetun huomautuksen jälkeen. Tarkasta korjattu pykälä; aiempi linkki ei enää toimi.',
          )
        : body,
    );
  }
}

export interface ResendCheckerLinksInput {
  /** Hand this checker's link (the one whose hash this is) to a substitute; absent: resend every pending checker's link. */
  fromLinkHash?: string;
  substitute?: Checker;
  actor: string;
  client?: { ipHash?: string; userAgent?: string };
}

/**
 * The minute check's links sent again: an admin resends every pending checker's link, or a
 * checker hands theirs to a substitute (who then checks in their place). Each new link
 * replaces the old one at once; each mail is one of its own; the audit trail records it.
 */
export async function resendCheckerLinks(
  ctx: NominationContext,
  wait: StepWait,
  input: ResendCheckerLinksInput,
  deps: Deps,
): Promise<void> {
  const pending = pendingCheckers(checkFor(ctx.nomination, ctx.municipality));
  const targets = (wait.links ?? []).filter((l) =>
    input.fromLinkHash
      ? l.tokenHash === input.fromLinkHash
      : pending.some((c) => sameEmail(c.email, l.email)),
  );
  if (targets.length === 0) throw new NotFoundError('No minute checker link to send again');
  const substitute = input.substitute;
  if (substitute && ctx.nomination.minuteCheck?.checkers.some((c) => sameEmail(c.email, substitute.email))) {
    throw new ValidationError([
      { field: 'substituteEmail', message: 'Sijainen on jo tämän pöytäkirjan tarkastaja.' },
    ]);
  }
  const kind = substitute ? 'substitute' : 'resend';
  for (const target of targets) {
    const recipient = substitute ?? { name: target.name, email: target.email };
    const nonce = Date.now().toString(36) + Math.random().toString(36).slice(2, 6);
    const minted = await mintLink(ctx, 'minute_check', recipient, `minute_check-${kind}-${nonce}`, deps);
    if (substitute) await replaceChecker(ctx, target.email, substitute, deps);
    const latest = (await deps.store.getWait(ctx.round.id, ctx.municipality.id, 'minute_check')) ?? wait;
    await deps.store.putWait(
      withCheckerLink(latest, target.tokenHash, { ...recipient, tokenHash: minted.link.tokenHash }),
    );
    await deps.store.supersedeLink(target.tokenHash);
    const body = requestMail(ctx, 'minute_check', minted.url, recipient);
    await deps.mailer.sendOnce(
      minted.mailKey,
      substitute
        ? withLead(
            body,
            'Siirretty sinulle',
            `${target.name} (${target.email}) on siirtänyt pöytäkirjan tarkastuksen sinulle sijaiseksi. ` +
              'Aiemmin lähetetty linkki ei enää toimi.',
          )
        : withLead(body, 'Uusi linkki', 'Tämä on uusi linkki. Aiemmin lähetetty linkki ei enää toimi.'),
    );
    await deps.store.addAudit({
      roundId: ctx.round.id,
      municipalityId: ctx.municipality.id,
      at: deps.clock.now().toISOString(),
      actor: input.actor,
      action: substitute ? 'minute_check-handed-to-substitute' : 'minute_check-link-resent',
      detail: substitute ? `from ${target.email} to ${recipient.email}` : `to ${recipient.email}`,
      clientIpHash: input.client?.ipHash,
      userAgent: input.client?.userAgent?.slice(0, 300),
    });
  }
}

/** The substitute checks in the place of the checker who handed the link over. */
async function replaceChecker(ctx: NominationContext, fromEmail: string, substitute: Checker, deps: Deps) {
  for (let attempt = 1; ; attempt++) {
    const { nomination } =
      attempt === 1 ? ctx : await loadNomination(deps.store, ctx.round.id, ctx.municipality.id);
    const check = checkFor(nomination, ctx.municipality);
    const next: Nomination = {
      ...nomination,
      minuteCheck: {
        ...check,
        checkers: check.checkers.map((c) => (sameEmail(c.email, fromEmail) ? substitute : c)),
      },
      updatedAt: deps.clock.now().toISOString(),
      version: nomination.version + 1,
    };
    try {
      await deps.store.saveNomination(next);
      ctx.nomination = next;
      return;
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= 5) throw error;
    }
  }
}
