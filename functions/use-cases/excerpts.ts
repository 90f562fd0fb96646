import { excerptMail, excerptRecipients } from '../domain/mail-texts.ts';
import type { Deps } from './deps.ts';
import { loadNomination } from './load.ts';
import { type NominationRef, setStatus } from './nomination-status.ts';

/**
 * Sends the excerpt (ote) to the organiser and copies (tiedoksi) to the municipal board
 * and every nominee except the presenter, each once.
 */
export async function sendExcerpts(ref: NominationRef, deps: Deps): Promise<{ sent: number }> {
  const { round, municipality, group, nomination } = await loadNomination(
    deps.store,
    ref.roundId,
    ref.municipalityId,
  );
  const { decision, proposal } = nomination;
  if (!decision || !proposal) throw new Error(`Nomination ${ref.municipalityId} has no decision`);
  let sent = 0;
  for (const recipient of excerptRecipients({ round, municipality, decision })) {
    const content = excerptMail({
      round,
      municipality,
      proposal,
      decision,
      groupName: group.name,
      copy: recipient.purpose === 'excerpt-copy',
    });
    const result = await deps.mailer.sendOnce(
      { roundId: round.id, scope: municipality.id, purpose: recipient.purpose, recipient: recipient.email },
      content,
    );
    if (result === 'sent') sent++;
  }
  await setStatus(deps, nomination, 'excerpts_sent');
  return { sent };
}
