/** The committee rejected the proposal: the nomination ends with no members and the organiser is told. */
import { formatDateFi } from '../domain/finnish.ts';
import { noticeMail } from '../domain/link-mails.ts';
import type { Deps } from './deps.ts';
import { loadNomination } from './load.ts';
import { type NominationRef, setStatus } from './nomination-status.ts';

/**
 * 1. Mark the nomination rejected (a retried step finds it so and does nothing more to it).
 * 2. Tell the organiser's registry once, with the meeting, the section and the decision.
 */
export async function recordRejected(ref: NominationRef, deps: Deps): Promise<void> {
  const { round, municipality, group, nomination } = await loadNomination(
    deps.store,
    ref.roundId,
    ref.municipalityId,
  );
  await setStatus(deps, nomination, 'rejected', { members: [] });
  const rejection = nomination.rejection;
  const meeting = rejection
    ? `${municipality.body.name} ${formatDateFi(rejection.meetingDate)} § ${rejection.section}`
    : municipality.body.name;
  await deps.mailer.sendOnce(
    {
      roundId: round.id,
      scope: municipality.id,
      purpose: 'rejected',
      recipient: round.organiser.registryEmail,
    },
    noticeMail({
      subject: `Ehdotus hylättiin: ${municipality.name} – ${group.name}`,
      heading: `Ehdotus hylättiin: ${municipality.name}`,
      paragraphs: [
        `${meeting} hylkäsi päätösehdotuksen edustajien nimeämisestä ryhmään ”${group.name}”.`,
        rejection?.text ? `Päätös: ${rejection.text}` : '',
        'Kunta ei nimennyt edustajia tällä kierroksella. Kunnan nimitys on päättynyt ilman jäseniä.',
        `Esittelijä: ${municipality.presenter.name}, ${municipality.presenter.email}`,
      ],
      footer: `${round.organiser.name} · Nimitys-palvelu`,
    }),
  );
}
