/**
 * The periods of a request for correction (oikaisuvaatimus), Local Government Act 410/2015
 * §§ 134, 139–140, and the act on computing statutory periods 150/1930.
 *
 * - A party is deemed to have received the decision on the 3rd day after an e-mail was
 *   sent (with the party's consent) and on the 7th day after a letter was sent (§ 139).
 * - A member of the municipality is deemed to have received it 7 days after the minutes
 *   were published online (§ 140).
 * - The request is due within 14 days of receipt; the day of receipt is not counted
 *   (150/1930 § 2), so the last day is receipt + 14. A last day on a weekend or a public
 *   holiday moves to the next working day (150/1930 § 5). The deemed receipt day itself
 *   does not move.
 */
import { addDays, nextWorkingDay } from './calendar.ts';
import { helsinkiDate } from './time.ts';

export type ServiceMethod = 'email' | 'letter' | 'public-network';

/** The correction period in days (Kuntalaki § 134). */
export const CORRECTION_PERIOD_DAYS = 14;

const DEEMED_RECEIPT_DAYS: Record<ServiceMethod, number> = {
  email: 3,
  letter: 7,
  'public-network': 7,
};

export interface AppealDates {
  /** The Finnish calendar day of sending (or of publication). */
  sentOn: string;
  /** The day the recipient is deemed to have received the decision. */
  deemedReceivedOn: string;
  /** The last day to request correction, after moving off weekends and holidays. */
  correctionDeadline: string;
}

/**
 * The deemed receipt date and the correction deadline for a decision sent (or published)
 * at `sent`: an instant (its Helsinki date counts) or a calendar date YYYY-MM-DD.
 */
export function appealDates(sent: Date | string, method: ServiceMethod): AppealDates {
  const sentOn = typeof sent === 'string' ? sent : helsinkiDate(sent);
  const deemedReceivedOn = addDays(sentOn, DEEMED_RECEIPT_DAYS[method]);
  const correctionDeadline = nextWorkingDay(addDays(deemedReceivedOn, CORRECTION_PERIOD_DAYS));
  return { sentOn, deemedReceivedOn, correctionDeadline };
}

/**
 * Whether personal data may still be shown publicly on `today` for minutes published
 * on `publishedOn`: through the last day of the members' correction period (§ 140).
 */
export function personalDataPublicOn(publishedOn: string, today: string): boolean {
  return today <= appealDates(publishedOn, 'public-network').correctionDeadline;
}
