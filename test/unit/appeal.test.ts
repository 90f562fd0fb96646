import { describe, expect, it } from 'vitest';
import { appealDates, personalDataPublicOn } from '../../functions/domain/appeal.ts';

describe('the deemed receipt date and the last day to request correction', () => {
  it('counts 3 days for an e-mail and 14 days from receipt when the last day is a working day', () => {
    // prepare: an excerpt e-mailed on Tuesday 21 November 2023
    // act
    const dates = appealDates('2023-11-21', 'email');
    // assess: received Friday 24.11., last day Friday 8.12. (Independence Day 6.12. is inside the period, not at its end)
    expect(dates).toEqual({
      sentOn: '2023-11-21',
      deemedReceivedOn: '2023-11-24',
      correctionDeadline: '2023-12-08',
    });
  });

  it('counts 7 days for a letter', () => {
    expect(appealDates('2023-11-21', 'letter')).toMatchObject({
      deemedReceivedOn: '2023-11-28',
      correctionDeadline: '2023-12-12',
    });
  });

  it('moves a last day on Christmas Eve past Christmas and Boxing Day, but not the deemed receipt on a Sunday', () => {
    // prepare: e-mailed Thursday 7.12.2023 → deemed received Sunday 10.12. (receipt does not move)
    // act
    const dates = appealDates('2023-12-07', 'email');
    // assess: 10.12. + 14 = Sunday 24.12. (jouluaatto) → 25.12., 26.12. are holidays → Wednesday 27.12.
    expect(dates.deemedReceivedOn).toBe('2023-12-10');
    expect(dates.correctionDeadline).toBe('2023-12-27');
  });

  it('crosses the year end onto the day after New Year’s Day', () => {
    // prepare: e-mailed Sunday 15.12.2024 → received Wednesday 18.12.2024
    // act
    const dates = appealDates('2024-12-15', 'email');
    // assess: 18.12. + 14 = Wednesday 1.1.2025 (uudenvuodenpäivä) → Thursday 2.1.2025
    expect(dates.correctionDeadline).toBe('2025-01-02');
  });

  it('moves a last day on Good Friday past Easter to the Tuesday', () => {
    // 2024: Easter Sunday 31.3.; e-mailed 12.3. → received 15.3. → 29.3. Good Friday → Tue 2.4.
    expect(appealDates('2024-03-12', 'email').correctionDeadline).toBe('2024-04-02');
  });

  it('moves a last day on Midsummer Eve to the Monday', () => {
    // 2024: juhannusaatto Friday 21.6.; e-mailed 4.6. → received 7.6. → 21.6. → Monday 24.6.
    expect(appealDates('2024-06-04', 'email').correctionDeadline).toBe('2024-06-24');
  });

  it('moves a last day on All Saints’ Day (a Saturday) to the Monday', () => {
    // 2023: pyhäinpäivä Saturday 4.11.; a letter sent 14.10. → received 21.10. → 4.11. → Monday 6.11.
    expect(appealDates('2023-10-14', 'letter').correctionDeadline).toBe('2023-11-06');
  });

  it('moves a last day on Ascension Day to the Friday', () => {
    // 2025: Easter 20.4., helatorstai Thursday 29.5.; e-mailed 12.5. → received 15.5. → 29.5. → 30.5.
    expect(appealDates('2025-05-12', 'email').correctionDeadline).toBe('2025-05-30');
  });

  it('takes the Finnish date of the sending instant, not the UTC date', () => {
    // 22:30 UTC on 20.11. is 00:30 on 21.11. in Helsinki
    expect(appealDates(new Date('2023-11-20T22:30:00Z'), 'email').sentOn).toBe('2023-11-21');
  });
});

describe('how long a public notice may show names', () => {
  // Published Tuesday 21.11.2023 → members deemed to know 28.11. → last day Tuesday 12.12.2023
  it('shows them through the last day of the members’ correction period', () => {
    expect(personalDataPublicOn('2023-11-21', '2023-11-21')).toBe(true);
    expect(personalDataPublicOn('2023-11-21', '2023-12-12')).toBe(true);
  });

  it('stops the day after', () => {
    expect(personalDataPublicOn('2023-11-21', '2023-12-13')).toBe(false);
  });
});
