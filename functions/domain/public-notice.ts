/**
 * The public notice of a decision (Kuntalaki § 140): the checked minutes are published
 * online with only the personal data the notice needs, which comes off the web when the
 * correction period of the municipality's members ends.
 *
 * What is shown: names and titles only (never an e-mail address or a phone number, not
 * even one typed into the proposal's text); after the period, no names at all.
 */
import { type AppealDates, appealDates, personalDataPublicOn } from './appeal.ts';
import { appealInstructions, type ExcerptEntry, sectionLabel } from './excerpt.ts';
import { formatDateFi, lowerFirst, upperFirst } from './finnish.ts';
import { singleLine as one, plainText } from './html.ts';
import type { Decision, Municipality, Person, Proposal, Round } from './types.ts';

export interface PublicNoticeInput {
  round: Round;
  municipality: Municipality;
  proposal: Proposal;
  decision: Decision;
  /** The Finnish date the excerpts went out and the notice was published. */
  publishedOn: string;
  /** Today's Finnish date. */
  today: string;
}

export interface PublicNotice {
  heading: string;
  meta: ExcerptEntry[];
  title: string;
  caseText: string;
  /** The decision part while names may be shown; undefined after the period. */
  decisionPart?: ExcerptEntry[];
  /** The decided members, "Eeva Elomäki, hyvinvointi- ja hankekoordinaattori". */
  members?: string[];
  /** Why the names are gone, after the period. */
  removedNote?: string;
  publication: string;
  dates: AppealDates;
  appeal: { heading: string; entries: ExcerptEntry[] };
}

const EMAIL = /[^\s<>@,;:"']+@[^\s<>@,;:"']+\.[^\s<>@,;:"']+/g;
/** Finnish phone numbers as people write them: 040 834 7185, +358 40 834 7185, (013) 123 456. */
const PHONE = /(?:\+\d{1,3}[\s-]?)?(?:\(\d{1,4}\)|\d{2,4})(?:[\s-]?\d{2,4}){2,4}/g;

/** Free text without contact details: addresses and phone numbers become "[poistettu]". */
export function withoutContactDetails(text: string): string {
  return text.replace(EMAIL, '[poistettu]').replace(PHONE, (match) => {
    const digits = match.replace(/\D/g, '');
    // Years, section numbers, act numbers (612/2021) and dates stay: a phone has 6+ digits in groups.
    return digits.length >= 7 ? '[poistettu]' : match;
  });
}

function nameAndTitle(p: Person): string {
  const title = lowerFirst(one(p.title));
  return title === '' ? one(p.name) : `${upperFirst(title)} ${one(p.name)}`;
}

export function publicNotice(input: PublicNoticeInput): PublicNotice {
  const { round, municipality, proposal, decision, publishedOn, today } = input;
  const dates = appealDates(publishedOn, 'public-network');
  const showNames = personalDataPublicOn(publishedOn, today);
  const diaryNumber = one(decision.diaryNumber ?? '');
  const notice: PublicNotice = {
    heading: 'Päätöksen julkaiseminen',
    meta: [
      { label: 'Kunta', text: one(municipality.name) },
      { label: 'Toimielin', text: upperFirst(one(municipality.body.name)) },
      { label: 'Kokous', text: formatDateFi(decision.meetingDate) },
      { label: 'Pykälä', text: sectionLabel(decision.section) },
      ...(diaryNumber === '' ? [] : [{ label: 'Asianumero', text: diaryNumber }]),
    ],
    title: one(round.title),
    caseText: withoutContactDetails(plainText(round.caseText).trim()),
    publication:
      `Päätös on julkaistu yleisessä tietoverkossa ${formatDateFi(publishedOn)}. Kunnan jäsenen ` +
      `katsotaan saaneen päätöksestä tiedon ${formatDateFi(dates.deemedReceivedOn)}. ` +
      `Oikaisuvaatimuksen viimeinen jättöpäivä on ${formatDateFi(dates.correctionDeadline)}.`,
    dates,
    appeal: appealInstructions(municipality, undefined, false),
  };
  if (!showNames) {
    notice.removedNote =
      'Päätöksen henkilötiedot on poistettu verkosta oikaisuvaatimusajan päätyttyä ' +
      `(${formatDateFi(dates.correctionDeadline)}; kuntalaki 140 §). Päätöksen voi pyytää kunnan kirjaamosta.`;
    return notice;
  }
  notice.decisionPart = [
    { label: 'Valmistelija', text: nameAndTitle(municipality.preparer) },
    { label: 'Esittelijä', text: nameAndTitle(municipality.presenter) },
    { label: 'Päätösehdotus', text: withoutContactDetails(plainText(proposal.text).trim()) },
    { label: 'Päätös', text: withoutContactDetails(plainText(decision.text).trim()) },
  ];
  notice.members = decision.nominees.map((p) => {
    const title = one(p.title);
    return title === '' ? one(p.name) : `${one(p.name)}, ${lowerFirst(title)}`;
  });
  return notice;
}
