import { AuditNotWrittenError, ConflictError, LinkNotUsableError, NotFoundError } from '../domain/errors.ts';
import { proposalText } from '../domain/finnish.ts';
import {
  parseApprovalForm,
  parseDecisionAction,
  parseProposalForm,
  parseReturnForm,
} from '../domain/forms.ts';
import { hashClientAddress, LINK_TOKEN_PATTERN, tokenHashCandidates } from '../domain/link-token.ts';
import {
  type AuditEntry,
  type Link,
  type LinkOpen,
  type LinkTarget,
  type StepOutput,
  type StepWait,
  waitLinkHashes,
} from '../domain/ports.ts';
import { answerDeadline, roundAsSeenBy } from '../domain/round.ts';
import type { Nomination, OfficialStep, Person } from '../domain/types.ts';
import { log } from '../shared/logger.ts';
import { METRIC } from '../shared/metric-names.ts';
import { countMetric } from '../shared/metrics.ts';
import type { Deps } from './deps.ts';
import { loadLinkAt, loadNomination, loadNominationAndWait, type NominationContext } from './load.ts';
import { applyCheckAnswer } from './minute-check.ts';
import { AWAITING } from './request-action.ts';
import { parseSubstitute, resendLink } from './resend-link.ts';

export interface LinkView extends NominationContext {
  link: Link;
  step: OfficialStep;
  /** The step's wait as the link was opened (it holds this link). */
  wait: StepWait;
  /** The link's open record as read with the page (absent before its first recorded open). */
  linkOpen?: LinkOpen;
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

/** What a person sees when a link no longer acts: what happened, by whom, when, whom to ask. */
export interface GoneInfo {
  municipalityName?: string;
  step: OfficialStep;
  recipientName: string;
  /** The action taken through this link (or what replaced it), in Finnish. */
  what?: string;
  by?: string;
  at?: string;
  /** The answer deadline (YYYY-MM-DD) of an expired link. */
  deadline?: string;
  contact?: Pick<Person, 'name' | 'email' | 'phone' | 'title'>;
}

/** The link exists but no longer acts: used (410 "already done"), superseded or expired (410), with what to tell the person. */
export class LinkGoneError extends LinkNotUsableError {
  constructor(
    reason: 'used' | 'superseded' | 'expired',
    readonly info: GoneInfo,
  ) {
    super(reason, `Link ${reason}`);
  }
}

/** Audit actions in the words of the 410 page. */
export const ACTION_LABELS: Record<string, string> = {
  'proposal-submitted': 'Ehdotus lähetettiin esittelijälle.',
  'approval-approved': 'Ehdotus hyväksyttiin toimielimen esityslistalle.',
  'approval-returned': 'Ehdotus palautettiin valmistelijalle korjattavaksi.',
  'decision-adopted': 'Päätös kirjattiin: hyväksyttiin päätösehdotus.',
  'decision-adopted_with_changes': 'Päätös kirjattiin: hyväksyttiin muutettuna.',
  'decision-returned': 'Päätös kirjattiin: asia palautettiin valmisteluun.',
  'decision-tabled': 'Päätös kirjattiin: asia pantiin pöydälle.',
  'decision-rejected': 'Päätös kirjattiin: päätösehdotus hylättiin.',
  'proposal-handed-to-substitute': 'Tehtävä siirrettiin sijaiselle.',
  'approval-handed-to-substitute': 'Tehtävä siirrettiin sijaiselle.',
  'decision-handed-to-substitute': 'Tehtävä siirrettiin sijaiselle.',
  'proposal-link-resent': 'Tilalle lähetettiin uusi linkki.',
  'approval-link-resent': 'Tilalle lähetettiin uusi linkki.',
  'decision-link-resent': 'Tilalle lähetettiin uusi linkki.',
  'proposal-reminder-sent': 'Tilalle lähetettiin muistutus, jossa on uusi linkki.',
  'approval-reminder-sent': 'Tilalle lähetettiin muistutus, jossa on uusi linkki.',
  'decision-reminder-sent': 'Tilalle lähetettiin muistutus, jossa on uusi linkki.',
  'minute_check-approved': 'Pöytäkirjan pykälä hyväksyttiin tarkastetuksi.',
  'minute_check-returned': 'Pykälässä ilmoitettiin korjattavaa; asia palasi toimielimen sihteerille.',
  'minute_check-handed-to-substitute': 'Tarkastus siirrettiin sijaiselle.',
  'minute_check-link-resent': 'Tilalle lähetettiin uusi linkki.',
  'minute_check-reminder-sent': 'Tilalle lähetettiin muistutus, jossa on uusi linkki.',
};

/** Builds the 410 answer for a link that no longer acts, from the link and the audit trail. */
async function gone(
  link: Link,
  reason: LinkGoneError['reason'],
  deps: Pick<Deps, 'store'>,
  ctx?: NominationContext,
): Promise<LinkGoneError> {
  const context =
    ctx ?? (await loadNomination(deps.store, link.roundId, link.municipalityId).catch(() => undefined));
  const info: GoneInfo = {
    municipalityName: context?.municipality.name,
    step: link.step,
    recipientName: link.recipientName,
    contact: context?.round.organiser.contact,
  };
  if (reason === 'expired' && context) {
    info.deadline = roundAsSeenBy(context.round, context.nomination).deadline;
  }
  if (reason !== 'expired') {
    const audit = await deps.store.listAudit(link.roundId, link.municipalityId);
    const since = link.usedAt ?? link.createdAt;
    const entry: AuditEntry | undefined = audit
      .filter((a) => a.action.startsWith(`${link.step}-`) && a.at >= since)
      .filter((a) => (reason === 'used' ? a.actor === link.recipientEmail : true))
      .sort((a, b) => a.at.localeCompare(b.at))[0];
    info.what = entry ? ACTION_LABELS[entry.action] : undefined;
    info.by = reason === 'used' ? link.recipientName : undefined;
    info.at = entry?.at ?? link.usedAt;
  }
  return new LinkGoneError(reason, info);
}

/**
 * The stored link of a token (hashed with the current pepper, or with the previous one after a
 * rotation), and with a `target` also the context where the link acts, read in the same request
 * when the link does act there.
 */
async function findLink(
  token: string,
  deps: Pick<Deps, 'store' | 'linkSecret'>,
  target?: LinkTarget,
): Promise<{ link?: Link; context?: NominationContext & { wait?: StepWait } }> {
  const hashes = tokenHashCandidates(token, await deps.linkSecret());
  if (target) return loadLinkAt(deps.store, hashes, target);
  for (const tokenHash of hashes) {
    const link = await deps.store.getLink(tokenHash);
    if (link) return { link };
  }
  return {};
}

/**
 * Opens a link for viewing. Changes nothing (mail scanners fetch links too).
 * Throws NotFoundError for an unknown token, LinkGoneError when it can no longer act:
 * used; superseded (a newer link, or the nomination has moved on); expired (the
 * nomination's deadline, which an admin may have extended, has passed).
 * A submit passes where its form says the link acts (`target`): the link is then read with
 * its nomination, one request instead of two; a wrong target only costs the second.
 */
export async function openLink(
  token: string,
  deps: Pick<Deps, 'store' | 'clock' | 'linkSecret'>,
  target?: LinkTarget,
): Promise<LinkView> {
  if (!LINK_TOKEN_PATTERN.test(token)) throw new NotFoundError('Malformed link token');
  const { link, context } = await findLink(token, deps, target);
  if (!link) throw new NotFoundError('Unknown link token');
  // The context read with the link (a submit's target) saves gone() reading it again.
  if (link.status === 'used') throw await gone(link, 'used', deps, context);
  if (link.status === 'superseded') throw await gone(link, 'superseded', deps, context);
  const { wait, ...ctx } =
    context ??
    (await loadNominationAndWait(deps.store, link.roundId, link.municipalityId, link.step, link.tokenHash));
  if (answerDeadline(ctx.round, ctx.nomination).getTime() <= deps.clock.now().getTime()) {
    throw await gone(link, 'expired', deps, ctx);
  }
  if (
    ctx.nomination.status !== AWAITING[link.step] ||
    !wait ||
    !waitLinkHashes(wait).includes(link.tokenHash)
  ) {
    throw await gone(link, 'superseded', deps, ctx);
  }
  const nominees = ctx.nomination.proposal?.nominees ?? [];
  return {
    ...ctx,
    link,
    step: link.step,
    wait,
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

interface Applied {
  next: Nomination;
  /** Absent when the workflow does not move yet (a minute checker approved, others have not). */
  output?: StepOutput;
  /** The action's word for the audit trail and the result page, when it is not the output's. */
  outcome?: string;
  detail?: string;
  /** The nomination was saved, its audit entry not (save). */
  auditFailure?: AuditNotWrittenError;
}

/** Validates the form and computes the nomination after it; throws ValidationError, stores nothing. */
function applyForm(view: LinkView, fields: Record<string, string>, at: string): Applied {
  const { nomination, round, municipality, link } = view;
  const next = { ...nomination, updatedAt: at, version: nomination.version + 1 };
  const by = link.recipientEmail;
  const out = (outcome: string): StepOutput => ({ step: view.step, outcome });
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
        next: {
          ...next,
          status: 'awaiting_approval',
          proposal: { nominees, text: finalText, submittedAt: at, submittedBy: by },
        },
        output: out('submitted'),
      };
    }
    case 'approval': {
      if ((fields.action ?? '').trim() === 'return') {
        const { comment } = parseReturnForm(fields);
        return {
          next: {
            ...next,
            status: 'awaiting_proposal',
            returned: { from: 'approval', comment, at, by, byName: link.recipientName },
          },
          output: out('returned'),
          detail: comment,
        };
      }
      parseApprovalForm(fields);
      return {
        next: { ...next, status: 'awaiting_decision', approval: { approvedAt: at, approvedBy: by } },
        output: out('approved'),
      };
    }
    case 'minute_check': {
      const checker = { name: link.recipientName, email: link.recipientEmail };
      const objecting = (fields.action ?? '').trim() === 'return';
      if (!objecting) parseApprovalForm(fields);
      const answer = objecting
        ? { approve: false as const, comment: parseReturnForm(fields).comment }
        : { approve: true as const };
      return {
        ...applyCheckAnswer(nomination, municipality, checker, answer, at),
        outcome: answer.approve ? 'approved' : 'returned',
      };
    }
    case 'decision': {
      if (!nomination.proposal) throw new NotFoundError('No proposal to decide on');
      const action = parseDecisionAction(fields, round.seats, nomination.proposal);
      switch (action.kind) {
        case 'adopted':
        case 'adopted_with_changes':
          return {
            next: {
              ...next,
              status: 'decided',
              decision: { ...action.form, decidedAt: at, recordedBy: by },
            },
            output: out(action.kind),
          };
        case 'returned':
          return {
            next: {
              ...next,
              status: 'awaiting_proposal',
              approval: undefined,
              returned: {
                from: 'decision',
                comment: action.comment,
                at,
                by,
                byName: link.recipientName,
                meetingDate: action.meetingDate,
                section: action.section,
              },
            },
            output: out('returned'),
            detail: `${action.meetingDate} § ${action.section}: ${action.comment}`,
          };
        case 'tabled':
          return {
            next: {
              ...next,
              tabled: {
                meetingDate: action.meetingDate,
                section: action.section,
                nextMeetingDate: action.nextMeetingDate,
                at,
                by,
              },
            },
            output: out('tabled'),
            detail: `${action.meetingDate} § ${action.section}, next meeting ${action.nextMeetingDate}`,
          };
        case 'rejected':
          return {
            next: {
              ...next,
              status: 'rejected',
              members: [],
              rejection: {
                meetingDate: action.meetingDate,
                section: action.section,
                text: action.text,
                at,
                by,
              },
            },
            output: out('rejected'),
            detail: `${action.meetingDate} § ${action.section}`,
          };
      }
    }
  }
}

const TOKEN_GONE = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

/**
 * Resumes the step's waiting task. When the task has just timed out (the workflow is on
 * its way from a reminder back to the wait), the output is parked on the wait and the
 * step's next wait delivers it (requestAction).
 */
async function resume(view: LinkView, output: StepOutput, deps: Deps): Promise<void> {
  if (output.step === 'decision') countMetric(METRIC.decisionRecorded);
  const { id: roundId } = view.round;
  const municipalityId = view.municipality.id;
  for (let attempt = 0; attempt < 3; attempt++) {
    // First the wait the link was opened with: a stale task token is found out below.
    const wait = attempt === 0 ? view.wait : await deps.store.getWait(roundId, municipalityId, view.step);
    if (!wait) throw new NotFoundError(`No workflow is waiting for ${view.step}`);
    try {
      await deps.callbacks.succeed(wait.taskToken, output);
      return;
    } catch (error) {
      const name = (error as Error)?.name ?? '';
      const latest = await deps.store.getWait(roundId, municipalityId, view.step);
      if (latest && latest.taskToken !== wait.taskToken) continue; // re-registered meanwhile: try the new task
      if (TOKEN_GONE.has(name) || attempt === 2) {
        log.warn('task not resumable, parking the answer', {
          roundId,
          municipalityId,
          step: view.step,
          error: name,
        });
        await deps.store.putWait({ ...(latest ?? wait), pendingOutput: output });
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** attempt));
    }
  }
}

/** Claims the link (exactly one of concurrent claims wins); the losers get the "already done" answer. */
async function claim(view: LinkView, at: string, deps: Deps): Promise<void> {
  try {
    await deps.store.useLink(view.link.tokenHash, at);
    countMetric(METRIC.linkUsed);
  } catch (error) {
    if (!(error instanceof LinkNotUsableError)) throw error;
    const link = (await deps.store.getLink(view.link.tokenHash)) ?? view.link;
    throw await gone(link, error.reason, deps);
  }
}

export interface SubmitResult {
  view: LinkView;
  nomination: Nomination;
  /** submitted, approved, returned, adopted, …; `handed-off` for a hand-off to a substitute. */
  outcome: string;
  substitute?: Pick<Person, 'name' | 'email'>;
}

/**
 * An official submits a link's form.
 * 1. Check the link can act, and validate the form (a ValidationError stores nothing,
 *    the workflow does not move). The HTTP layer has checked the form's CSRF value.
 * 2. Claim the link: exactly one of any number of concurrent submits wins.
 * 3. Save the nomination (optimistic lock) with the action's audit entry (who, what,
 *    when, hashed IP, user agent); on failure release the claim.
 * 4. Resume the waiting workflow step with the outcome.
 * A hand-off (the `handoff` button) instead mails a new link to a substitute.
 */
export async function submitLink(
  token: string,
  fields: Record<string, string>,
  client: ClientInfo,
  deps: Deps,
  /** The link as the caller has just opened it (openLink), to save reading it again. */
  opened?: LinkView,
): Promise<SubmitResult> {
  const view = opened ?? (await openLink(token, deps));
  const at = deps.clock.now().toISOString();
  const audit = {
    clientIpHash: client.ip ? hashClientAddress(client.ip) : undefined,
    userAgent: client.userAgent?.slice(0, 300),
  };

  if (Object.hasOwn(fields, 'handoff')) {
    const substitute = parseSubstitute(
      fields.substituteEmail ?? '',
      fields.substituteName,
      view.link.recipientEmail,
    );
    await claim(view, at, deps);
    try {
      await resendLink(
        {
          roundId: view.round.id,
          municipalityId: view.municipality.id,
          step: view.step,
          substituteEmail: substitute.email,
          substituteName: substitute.name,
          actor: view.link.recipientEmail,
          client: { ipHash: audit.clientIpHash, userAgent: audit.userAgent },
          linkTokenHash: view.link.tokenHash,
        },
        deps,
      );
    } catch (error) {
      await deps.store.reopenLink(view.link.tokenHash);
      throw error;
    }
    return { view, nomination: view.nomination, outcome: 'handed-off', substitute };
  }

  let applied = applyForm(view, fields, at);
  await claim(view, at, deps);
  try {
    applied = await save(view, applied, fields, at, audit, deps);
  } catch (error) {
    await deps.store.reopenLink(view.link.tokenHash);
    throw error;
  }
  if (applied.output) await resume(view, applied.output, deps);
  if (applied.auditFailure) {
    // The person's action has taken effect and they are told so; the missing entry is for
    // the operators (the metric raises the audit-not-written alarm).
    countMetric(METRIC.auditNotWritten);
    log.error('audit entry not written', {
      roundId: view.round.id,
      municipalityId: view.municipality.id,
      action: `${view.step}-${outcomeOf(applied)}`,
      error: applied.auditFailure.name,
      errorMessage: applied.auditFailure.message,
    });
  }
  return { view, nomination: applied.next, outcome: outcomeOf(applied) };
}

const outcomeOf = (applied: Applied) => applied.outcome ?? applied.output?.outcome ?? 'submitted';

/**
 * Saves the nomination after a submit. Minute checkers answer independently: when two
 * approve at once, the second write finds the nomination changed and applies its answer
 * again to the nomination as it is now, so that the approval completing the check is
 * exactly one of them. Every other step has one official, and a conflict is an error.
 */
async function save(
  view: LinkView,
  applied: Applied,
  fields: Record<string, string>,
  at: string,
  client: { clientIpHash?: string; userAgent?: string },
  deps: Deps,
): Promise<Applied> {
  for (let attempt = 1; ; attempt++) {
    try {
      // Who did what, when, from where: written with the nomination's other entries.
      await deps.store.saveNomination(applied.next, {
        roundId: view.round.id,
        municipalityId: view.municipality.id,
        at,
        actor: view.link.recipientEmail,
        action: `${view.step}-${outcomeOf(applied)}`,
        detail: applied.detail?.slice(0, 2000),
        ...client,
      });
      return applied;
    } catch (error) {
      if (error instanceof AuditNotWrittenError) return { ...applied, auditFailure: error };
      if (!(error instanceof ConflictError) || view.step !== 'minute_check' || attempt >= 8) throw error;
      const now = await loadNomination(deps.store, view.round.id, view.municipality.id);
      if (now.nomination.status !== 'awaiting_minute_check') throw error;
      view.nomination = now.nomination;
      applied = applyForm(view, fields, at);
    }
  }
}
