/**
 * Plays the municipal officials for the demo and the benchmarks: finds the link in a mail,
 * opens the page (GET) and posts its form (POST), as a person's browser would.
 */
import type { Person, Round } from '../functions/domain/types.ts';
import type { SesMail } from './ses-store.ts';

export type Step = 'proposal' | 'approval' | 'decision' | 'minute_check';

/** The minute's four, as Liperi's preparer types them. */
export const LIPERI_NOMINEES: Person[] = [
  {
    name: 'Eeva Elomäki',
    title: 'hyvinvointi- ja hankekoordinaattori',
    email: 'eeva.elomaki@liperi.example',
  },
  { name: 'Reetta Partanen', title: 'vapaa-aikapäällikkö', email: 'reetta.partanen@liperi.example' },
  { name: 'Sami Kuikka', title: 'työllisyyspalveluvastaava', email: 'sami.kuikka@liperi.example' },
  {
    name: 'Riitta Lappalainen',
    title: 'hyvinvointijohtaja',
    email: 'riitta.lappalainen@liperi.example',
    phone: '040 834 7185',
  },
];

const ENTITIES: Record<string, string> = {
  '&quot;': '"',
  '&#39;': "'",
  '&lt;': '<',
  '&gt;': '>',
  '&amp;': '&',
};
const decodeEntities = (s: string) => s.replace(/&quot;|&#39;|&lt;|&gt;|&amp;/g, (e) => ENTITIES[e] ?? e);

/** Hidden inputs of the page's form, as a browser would post them. */
export function hiddenFields(page: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const match of page.matchAll(/<input\b[^>]*type="hidden"[^>]*>/g)) {
    const name = /name="([^"]*)"/.exec(match[0])?.[1];
    if (name) fields[decodeEntities(name)] = decodeEntities(/value="([^"]*)"/.exec(match[0])?.[1] ?? '');
  }
  return fields;
}

export function stepOfPage(page: string): Step | undefined {
  if (page.includes('name="meetingDate"')) return 'decision';
  if (page.includes('name="nominees.0.name"')) return 'proposal';
  if (page.includes('Tarkasta pöytäkirjan pykälä')) return 'minute_check';
  if (/value="approve"/.test(page)) return 'approval';
  return undefined;
}

export function nomineeFields(nominees: Person[]): Record<string, string> {
  const fields: Record<string, string> = {};
  nominees.forEach((person, i) => {
    fields[`nominees.${i}.name`] = person.name;
    fields[`nominees.${i}.title`] = person.title;
    fields[`nominees.${i}.email`] = person.email;
    fields[`nominees.${i}.phone`] = person.phone ?? '';
  });
  return fields;
}

export interface ActResult {
  step: Step;
  getMs: number;
  postMs: number;
}

/**
 * Acts on one mail if it carries a link: GET the page, fill in what the step asks, POST.
 * `nomineesFor` answers who the municipality proposes.
 */
export async function actOnMail(
  mail: SesMail,
  linkPattern: RegExp,
  nomineesFor: (mail: SesMail) => Person[],
  today: string,
): Promise<ActResult | undefined> {
  const url = linkPattern.exec(mail.text)?.[0];
  if (!url) return undefined;
  const t0 = performance.now();
  const page = await fetch(url);
  const html = await page.text();
  const getMs = performance.now() - t0;
  if (page.status !== 200) {
    const reason = html
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ')
      .slice(0, 300);
    throw new Error(`GET ${url} → ${page.status} (mail to ${mail.to}: ${mail.subject}): ${reason}`);
  }
  const step = stepOfPage(html);
  if (!step) throw new Error(`Unrecognised page behind the link in "${mail.subject}"`);
  const fields = hiddenFields(html);
  if (step === 'proposal') Object.assign(fields, nomineeFields(nomineesFor(mail)), { text: '' });
  if (step === 'approval' || step === 'minute_check') fields.action = 'approve';
  if (step === 'decision') {
    Object.assign(fields, {
      meetingDate: today,
      section: '12',
      outcome: 'adopted',
      text: 'Hyväksyttiin päätösehdotus.',
    });
  }
  const t1 = performance.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  const body = await response.text();
  const postMs = performance.now() - t1;
  if (response.status !== 200) throw new Error(`POST ${step} → ${response.status}: ${body.slice(0, 300)}`);
  return { step, getMs, postMs };
}

/** Runs `task` over `items` with at most `limit` in flight. */
export async function pool<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await task(item);
    }
  });
  await Promise.all(workers);
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export type { Round };
