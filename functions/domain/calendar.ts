/**
 * Finnish calendar days, as calendar dates (YYYY-MM-DD). Shared by the excerpt's
 * correction deadline and the groups' meeting plan.
 *
 * A statutory period that ends on a public holiday, Independence Day, May Day, Christmas
 * or Midsummer Eve, or a Saturday moves to the next working day (act 150/1930 § 5).
 * Sundays are public holidays. So a working day is Monday–Friday and none of those.
 */

const DAY_MS = 86_400_000;

function toDate(date: string): Date {
  return new Date(`${date}T00:00:00Z`);
}

function iso(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  return iso(new Date(toDate(date).getTime() + days * DAY_MS));
}

/** 0 = Sunday … 6 = Saturday */
export function weekday(date: string): number {
  return toDate(date).getUTCDay();
}

/** Easter Sunday (Gregorian), by the anonymous Gregorian algorithm (Meeus/Jones/Butcher). */
export function easterSunday(year: number): string {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** The first date on or after `from` that falls on `day` of the week. */
function firstWeekdayFrom(from: string, day: number): string {
  return addDays(from, (day - weekday(from) + 7) % 7);
}

export interface Holiday {
  date: string;
  name: string;
}

/** The year's public holidays and the eves that count as such for deadlines, in date order. */
export function finnishHolidays(year: number): Holiday[] {
  const easter = easterSunday(year);
  const midsummerEve = firstWeekdayFrom(`${year}-06-19`, 5); // Friday 19–25 June
  const holidays: Holiday[] = [
    { date: `${year}-01-01`, name: 'uudenvuodenpäivä' },
    { date: `${year}-01-06`, name: 'loppiainen' },
    { date: addDays(easter, -2), name: 'pitkäperjantai' },
    { date: easter, name: 'pääsiäispäivä' },
    { date: addDays(easter, 1), name: '2. pääsiäispäivä' },
    { date: `${year}-05-01`, name: 'vappu' },
    { date: addDays(easter, 39), name: 'helatorstai' },
    { date: addDays(easter, 49), name: 'helluntaipäivä' },
    { date: midsummerEve, name: 'juhannusaatto' },
    { date: addDays(midsummerEve, 1), name: 'juhannuspäivä' },
    { date: firstWeekdayFrom(`${year}-10-31`, 6), name: 'pyhäinpäivä' }, // Saturday 31 Oct – 6 Nov
    { date: `${year}-12-06`, name: 'itsenäisyyspäivä' },
    { date: `${year}-12-24`, name: 'jouluaatto' },
    { date: `${year}-12-25`, name: 'joulupäivä' },
    { date: `${year}-12-26`, name: 'tapaninpäivä' },
  ];
  return holidays.sort((x, y) => x.date.localeCompare(y.date));
}

const holidayCache = new Map<number, Map<string, string>>();

/** The holiday's Finnish name, or undefined on an ordinary day. */
export function holidayName(date: string): string | undefined {
  const year = Number(date.slice(0, 4));
  let byDate = holidayCache.get(year);
  if (!byDate) {
    byDate = new Map(finnishHolidays(year).map((h) => [h.date, h.name]));
    holidayCache.set(year, byDate);
  }
  return byDate.get(date);
}

export function isWorkingDay(date: string): boolean {
  const day = weekday(date);
  return day !== 0 && day !== 6 && holidayName(date) === undefined;
}

/** `date` itself if it is a working day, else the next one (act 150/1930 § 5). */
export function nextWorkingDay(date: string): string {
  let day = date;
  while (!isWorkingDay(day)) day = addDays(day, 1);
  return day;
}
