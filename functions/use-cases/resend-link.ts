/**
 * A step's link sent again: by an admin ("resend a step's link"), or handed by its recipient
 * to a substitute colleague. The new link replaces the old one, which stops working at once.
 */
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors.ts';
import { isEmailAddress, LIMITS } from '../domain/forms.ts';
import { withLead } from '../domain/link-mails.ts';
import type { OfficialStep, Person } from '../domain/types.ts';
import type { Deps } from './deps.ts';
import { mintLink, requestMail } from './link-mint.ts';
import { loadNomination } from './load.ts';
import { resendCheckerLinks } from './minute-check.ts';
import { AWAITING } from './request-action.ts';

export interface ResendLinkInput {
  roundId: string;
  municipalityId: string;
  step: OfficialStep;
  /** Hand the step to this colleague instead of the current recipient. */
  substituteEmail?: string;
  substituteName?: string;
  /** Who asked: an admin's identity, or the link recipient's address for a hand-off. */
  actor: string;
  /** Client details for the audit trail (a hand-off through the link page). */
  client?: { ipHash?: string; userAgent?: string };
  /** The minute check has a link per checker: the one being handed off (absent: all pending ones). */
  linkTokenHash?: string;
}

export const SUBSTITUTE_MESSAGES = {
  emailMissing: 'Kirjoita sijaisen sähköpostiosoite.',
  emailInvalid: 'Sähköpostiosoite ei ole kelvollinen.',
  same: 'Sijainen ei voi olla sama henkilö, jolle linkki on nyt osoitettu.',
  nameInvalid: `Kirjoita nimi ilman erikoismerkkejä, enintään ${LIMITS.name} merkkiä.`,
} as const;

/** Validates a substitute's address and name (ValidationError on the form's fields). */
export function parseSubstitute(
  rawEmail: string,
  rawName: string | undefined,
  current: string,
): Pick<Person, 'name' | 'email'> {
  const email = rawEmail.trim();
  const name = (rawName ?? '').replace(/\s+/g, ' ').trim();
  const errors = [];
  if (email === '') errors.push({ field: 'substituteEmail', message: SUBSTITUTE_MESSAGES.emailMissing });
  else if (!isEmailAddress(email))
    errors.push({ field: 'substituteEmail', message: SUBSTITUTE_MESSAGES.emailInvalid });
  else if (email.toLowerCase() === current.toLowerCase())
    errors.push({ field: 'substituteEmail', message: SUBSTITUTE_MESSAGES.same });
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (name.length > LIMITS.name || /[\u0000-\u001f\u007f-\u009f<>]/.test(name))
    errors.push({ field: 'substituteName', message: SUBSTITUTE_MESSAGES.nameInvalid });
  if (errors.length > 0) throw new ValidationError(errors);
  return { email, name: name || email };
}

/**
 * Sends a step's link again, optionally to a substitute.
 * 1. Check the nomination waits on this step (ConflictError otherwise).
 * 2. Mint a new link for the step's current wait: to the substitute when given, else to the
 *    current recipient; the wait now points at it, so the previous link is superseded.
 * 3. Mail the new link (a purpose of its own: every resend is a mail of its own).
 * 4. Record who asked, and for a hand-off from whom to whom, in the audit trail.
 */
export async function resendLink(input: ResendLinkInput, deps: Deps): Promise<void> {
  const ctx = await loadNomination(deps.store, input.roundId, input.municipalityId);
  if (ctx.nomination.status !== AWAITING[input.step]) {
    throw new ConflictError(`Nomination is ${ctx.nomination.status}, not waiting for ${input.step}`);
  }
  const wait = await deps.store.getWait(input.roundId, input.municipalityId, input.step);
  if (!wait) throw new NotFoundError(`No wait for ${input.step}`);
  if (input.step === 'minute_check') {
    const from = wait.links?.find((l) => l.tokenHash === input.linkTokenHash);
    const substitute =
      input.substituteEmail === undefined
        ? undefined
        : parseSubstitute(input.substituteEmail, input.substituteName, from?.email ?? input.actor);
    await resendCheckerLinks(
      ctx,
      wait,
      { fromLinkHash: input.linkTokenHash, substitute, actor: input.actor, client: input.client },
      deps,
    );
    return;
  }
  const previous = await deps.store.getLink(wait.linkTokenHash);
  if (!previous) throw new NotFoundError(`The ${input.step} link is gone`);
  const substitute =
    input.substituteEmail === undefined
      ? undefined
      : parseSubstitute(input.substituteEmail, input.substituteName, previous.recipientEmail);
  const recipient = substitute ?? { name: previous.recipientName, email: previous.recipientEmail };

  const kind = substitute ? 'substitute' : 'resend';
  const nonce = Date.now().toString(36) + Math.random().toString(36).slice(2, 6);
  const minted = await mintLink(ctx, input.step, recipient, `${input.step}-${kind}-${nonce}`, deps);
  // Re-read: a wait re-registered meanwhile keeps its new task token.
  const latest = (await deps.store.getWait(input.roundId, input.municipalityId, input.step)) ?? wait;
  await deps.store.putWait({ ...latest, linkTokenHash: minted.link.tokenHash });
  if (previous.status === 'open') await deps.store.supersedeLink(previous.tokenHash);

  const body = requestMail(ctx, input.step, minted.url);
  const mail = substitute
    ? withLead(
        body,
        'Siirretty sinulle',
        `${previous.recipientName} (${previous.recipientEmail}) on siirtänyt tämän tehtävän sinulle sijaiseksi. ` +
          'Aiemmin lähetetty linkki ei enää toimi.',
      )
    : withLead(body, 'Uusi linkki', 'Tämä on uusi linkki. Aiemmin lähetetty linkki ei enää toimi.');
  await deps.mailer.sendOnce(minted.mailKey, mail);

  await deps.store.addAudit({
    roundId: input.roundId,
    municipalityId: input.municipalityId,
    at: deps.clock.now().toISOString(),
    actor: input.actor,
    action: substitute ? `${input.step}-handed-to-substitute` : `${input.step}-link-resent`,
    detail: substitute ? `from ${previous.recipientEmail} to ${recipient.email}` : `to ${recipient.email}`,
    clientIpHash: input.client?.ipHash,
    userAgent: input.client?.userAgent?.slice(0, 300),
  });
}
