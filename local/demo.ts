/**
 * npm run demo [-- --json]: the Liperi case end to end, as people would do it.
 *
 * Starts the example round (dates moved to today), then plays every official: reads the
 * mails in the local SES store, opens each link (GET), fills in and posts its form.
 * Liperi proposes the four people of the minute and the committee adopts the proposal;
 * the other municipalities name 1–4 role-titled employees. Only the wait for the
 * groups' start date is shortened. Exits 0 only if every expected mail arrived exactly
 * once and every execution SUCCEEDED.
 *
 * Drives the stack `npm start` serves if one is running, else starts one in-process.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { excerptRecipients } from '../functions/domain/excerpt.ts';
import { actorOf } from '../functions/domain/round.ts';
import { helsinkiDate } from '../functions/domain/time.ts';
import type { Municipality, Person, Round } from '../functions/domain/types.ts';
import { PROJECT_ROOT } from '../infra/paths.ts';
import { RoundStates } from '../workflows/states.ts';
import { createClients, shiftRoundDatesToToday } from './client.ts';
import { localUrls, portsFromEnv, sdkEnvironment } from './endpoints.ts';
import { hiddenFields, LIPERI_NOMINEES, nomineeFields, type Step, stepOfPage } from './officials.ts';
import { type SesMail, SesStore } from './ses-store.ts';
import { startEmbeddedStack } from './stack.ts';

const EXAMPLE = path.join(PROJECT_ROOT, 'examples', 'pohjois-karjala-2024.yaml');
const TIME_LIMIT_MS = 180_000;
const json = process.argv.includes('--json');
const started = performance.now();

interface TimelineEntry {
  atMs: number;
  event: string;
}
const timeline: TimelineEntry[] = [];
function note(event: string): void {
  const atMs = Math.round(performance.now() - started);
  timeline.push({ atMs, event });
  if (!json) console.log(`[${(atMs / 1000).toFixed(1).padStart(6)} s] ${event}`);
}

const ROLE_TITLES = [
  'hyvinvointikoordinaattori',
  'liikuntapalvelupäällikkö',
  'nuorisotyön esihenkilö',
  'ehkäisevän päihdetyön yhdyshenkilö',
];
const FIRST_NAMES = ['Aino', 'Eino', 'Helmi', 'Onni', 'Kerttu', 'Väinö', 'Lempi', 'Toivo'];
const LAST_NAMES = [
  'Hakkarainen',
  'Turunen',
  'Räsänen',
  'Koponen',
  'Hyvönen',
  'Kettunen',
  'Pesonen',
  'Ikonen',
];
const ascii = (s: string) =>
  s
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '');

/** Other municipalities name 1–4 role-titled employees. */
function nomineesFor(round: Round, municipalityId: string, index: number): Person[] {
  if (municipalityId === 'liperi') return LIPERI_NOMINEES;
  const count = 1 + (index % round.seats.max);
  return Array.from({ length: count }, (_, i) => {
    const first = FIRST_NAMES[(index + i) % FIRST_NAMES.length] as string;
    const last = LAST_NAMES[(index * 3 + i) % LAST_NAMES.length] as string;
    return {
      name: `${first} ${last}`,
      title: ROLE_TITLES[i % ROLE_TITLES.length] as string,
      email: `${ascii(first)}.${ascii(last)}@${municipalityId}.example`,
    };
  });
}

/** Joensuu's committee changes the proposal: it names one person fewer than proposed. */
const CHANGED_BY_COMMITTEE = 'joensuu';

function decidedNominees(round: Round, municipalityId: string, index: number): Person[] {
  const proposed = nomineesFor(round, municipalityId, index);
  return municipalityId === CHANGED_BY_COMMITTEE && proposed.length > 1 ? proposed.slice(0, -1) : proposed;
}

const STEP_DONE: Record<Step, string> = {
  proposal: 'preparer submitted the proposal',
  approval: 'presenter approved it for the agenda',
  decision: 'committee secretary recorded the decision',
  minute_check: 'minute checker approved the section',
};

async function act(
  mail: SesMail,
  round: Round,
  linkPattern: RegExp,
): Promise<{ municipality: string; step: Step } | undefined> {
  const url = linkPattern.exec(mail.text)?.[0];
  if (!url) return undefined;
  const page = await fetch(url);
  const html = await page.text();
  if (page.status !== 200) throw new Error(`GET ${mail.subject} → ${page.status}`);
  const step = stepOfPage(html);
  if (!step) throw new Error(`Unrecognised page behind the link in "${mail.subject}"`);
  const actsOnStep = (m: Municipality) =>
    step === 'minute_check'
      ? (m.minuteCheckers ?? []).some((c) => c.email === mail.to)
      : actorOf(m, step).email === mail.to;
  const index = round.municipalities.findIndex(actsOnStep);
  const municipality = round.municipalities[index];
  if (!municipality) throw new Error(`No municipality's ${step} official is ${mail.to}`);

  const fields: Record<string, string> = { ...hiddenFields(html) };
  if (step === 'proposal')
    Object.assign(fields, nomineeFields(nomineesFor(round, municipality.id, index)), { text: '' });
  if (step === 'approval' || step === 'minute_check') fields.action = 'approve';
  if (step === 'decision') {
    const changed = municipality.id === CHANGED_BY_COMMITTEE;
    Object.assign(fields, {
      meetingDate: helsinkiDate(new Date()),
      section: String(40 + index),
      outcome: changed ? 'adopted_with_changes' : 'adopted',
      text: changed
        ? 'Hyväksyttiin päätösehdotus muutettuna: ryhmään nimetään kaksi edustajaa.'
        : 'Hyväksyttiin päätösehdotus.',
    });
    if (changed) Object.assign(fields, nomineeFields(decidedNominees(round, municipality.id, index)));
  }
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  if (response.status !== 200) {
    throw new Error(
      `POST ${step} for ${municipality.name} → ${response.status}: ${(await response.text()).slice(0, 500)}`,
    );
  }
  return { municipality: municipality.name, step };
}

/** Every mail the round must produce: recipient → count. */
function expectedMails(round: Round): Map<string, number> {
  const expected = new Map<string, number>();
  const add = (email: string) =>
    expected.set(email.toLowerCase(), (expected.get(email.toLowerCase()) ?? 0) + 1);
  round.municipalities.forEach((municipality, index) => {
    for (const step of ['proposal', 'approval', 'decision'] as const) add(actorOf(municipality, step).email);
    for (const checker of municipality.minuteCheckers ?? []) add(checker.email);
    const nominees = decidedNominees(round, municipality.id, index);
    const decision = {
      outcome: 'adopted' as const,
      meetingDate: '',
      section: '',
      text: '',
      nominees,
      decidedAt: '',
      recordedBy: '',
    };
    for (const recipient of excerptRecipients({ round, municipality, decision })) add(recipient.email);
    for (const member of nominees) add(member.email); // welcome
  });
  for (const group of round.groups) {
    add(round.organiser.registryEmail); // roster and plan
    // the county's own representatives and the partners are welcomed too, once per group
    const others = [...(group.representatives ?? []), ...(group.partners ?? [])];
    for (const email of new Set(others.map((p) => p.email.toLowerCase()))) add(email);
  }
  for (const municipality of round.municipalities) add(municipality.presenter.email); // group started
  return expected;
}

async function stackIsRunning(sfnUrl: string): Promise<boolean> {
  try {
    const response = await fetch(sfnUrl, {
      method: 'POST',
      headers: {
        'x-amz-target': 'AWSStepFunctions.ListStateMachines',
        'content-type': 'application/x-amz-json-1.0',
      },
      body: '{}',
      signal: AbortSignal.timeout(500),
    });
    return response.ok;
  } catch {
    return false;
  }
}

async function main(): Promise<number> {
  // The handlers' step logs would drown the timeline; they are the stack's business.
  process.env.NIMITYS_LOG_LEVEL ??= 'silent';
  const ports = portsFromEnv();
  let stop: (() => Promise<void>) | undefined;
  let urls = localUrls(ports);
  if (await stackIsRunning(urls.sfn)) {
    Object.assign(process.env, sdkEnvironment(ports));
    note(`Using the running stack at ${urls.sfn}`);
  } else {
    const stack = await startEmbeddedStack({ ports: { dynamodb: 0, ses: 0, sfn: 0, http: 0 } });
    urls = stack.urls;
    stop = stack.stop;
    note('Started an embedded stack for this run (in memory)');
  }

  const clients = createClients({ waitOverrides: { [RoundStates.WaitForStartDate]: 1000 } });
  const ses = new SesStore(urls.ses);
  const since = Math.floor(Date.now() / 1000) - 1;
  try {
    const example = parseYaml(readFileSync(EXAMPLE, 'utf8')) as Round;
    const roundId = `pohjois-karjala-demo-${Date.now().toString(36)}`;
    const file = stringifyYaml({ ...shiftRoundDatesToToday(example, helsinkiDate(new Date())), id: roundId });
    const { round, executionArn } = await clients.startRound(file);
    note(
      `Round ${round.id} started: ${round.municipalities.length} municipalities in ${round.groups.length} groups, answers by ${round.deadline}`,
    );

    const linkPattern = new RegExp(`${urls.http.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/l/[A-Za-z0-9_-]+`);
    const handled = new Set<string>();
    /** Each mail's round, once known (a mail's pointer row comes a moment after SES took it). */
    const roundOfMail = new Map<string, string>();
    const ofThisRound = async (mails: SesMail[]): Promise<SesMail[]> => {
      const unknown = mails.map((m) => m.messageId).filter((id) => !roundOfMail.has(id));
      if (unknown.length > 0) {
        for (const [id, roundId] of await clients.roundsOfMessages(unknown)) roundOfMail.set(id, roundId);
      }
      return mails.filter((m) => roundOfMail.get(m.messageId) === round.id);
    };
    const deadline = Date.now() + TIME_LIMIT_MS;
    let status = 'RUNNING';
    while (Date.now() < deadline) {
      // Notices (excerpts, welcomes, rosters) are summarised per subject; links are acted on.
      // Only this round's mails: another round may run on the same stack (`nimitys round
      // start` of the same example mails the same officials the same subjects).
      const notices = new Map<string, string[]>();
      for (const mail of await ofThisRound(await ses.mailsSince(since))) {
        if (handled.has(mail.messageId)) continue;
        handled.add(mail.messageId);
        const done = await act(mail, round, linkPattern);
        if (done) note(`${done.municipality}: ${STEP_DONE[done.step]} (link mailed to ${mail.to})`);
        else notices.set(mail.subject, [...(notices.get(mail.subject) ?? []), mail.to]);
      }
      for (const [subject, recipients] of notices) {
        note(
          `Mail "${subject}" → ${recipients.length === 1 ? recipients[0] : `${recipients.length} recipients`}`,
        );
      }
      status = (await clients.roundExecution(round.id)).status ?? 'UNKNOWN';
      if (status !== 'RUNNING') break;
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    note(`Round execution ${status}`);

    const nominationArn = clients.roundStateMachineArn.replace(/Round$/, 'Nomination');
    const executions =
      (
        await clients.sfn.send(
          new ListExecutionsCommand({ stateMachineArn: nominationArn, maxResults: 1000 }),
        )
      ).executions ?? [];
    const ours = executions.filter((e) => e.name?.startsWith(`${round.id}--`));
    const succeeded = ours.filter((e) => e.status === 'SUCCEEDED').length;

    const mails = await ofThisRound(await ses.mailsSince(since));
    const received = new Map<string, number>();
    for (const mail of mails)
      received.set(mail.to.toLowerCase(), (received.get(mail.to.toLowerCase()) ?? 0) + 1);
    const expected = expectedMails(round);
    const problems: string[] = [];
    for (const [email, count] of expected) {
      if ((received.get(email) ?? 0) !== count)
        problems.push(`${email}: expected ${count}, got ${received.get(email) ?? 0}`);
    }
    for (const [email, count] of received) {
      if (!expected.has(email)) problems.push(`${email}: ${count} unexpected mail(s)`);
    }
    const subjects = new Set<string>();
    for (const mail of mails) {
      const key = `${mail.to}\n${mail.subject}`;
      if (subjects.has(key)) problems.push(`duplicate mail to ${mail.to}: ${mail.subject}`);
      subjects.add(key);
    }
    const nominations = await clients.listNominations(round.id);
    const groups = await Promise.all(
      round.groups.map(async (g) => ({
        id: g.id,
        status: (await clients.store.getGroup(round.id, g.id))?.status ?? 'missing',
      })),
    );
    const calendars = mails.filter((m) => m.attachments.some((a) => a.filename?.endsWith('.ics'))).length;
    const ok =
      status === 'SUCCEEDED' &&
      groups.every((g) => g.status === 'active') &&
      ours.length === round.municipalities.length &&
      succeeded === ours.length &&
      problems.length === 0 &&
      nominations.every((n) => n.status === 'completed');
    const expectedTotal = [...expected.values()].reduce((a, b) => a + b, 0);
    const summary = {
      ok,
      roundId: round.id,
      roundExecutionArn: executionArn,
      roundStatus: status,
      nominationExecutions: { total: ours.length, succeeded },
      mails: { expected: expectedTotal, received: mails.length, problems },
      members: nominations.reduce((sum, n) => sum + (n.members?.length ?? 0), 0),
      groups,
      calendars,
      durationMs: Math.round(performance.now() - started),
      timeline,
    };
    if (json) console.log(JSON.stringify(summary, null, 2));
    else {
      console.log(`
${ok ? 'OK' : 'FAILED'}: round ${status}; nomination executions ${succeeded}/${ours.length} SUCCEEDED;
mails ${mails.length}/${expectedTotal} as expected${problems.length ? `; problems:\n  ${problems.join('\n  ')}` : ''};
${summary.members} members recorded; groups ${groups.map((g) => `${g.id} ${g.status}`).join(', ')}; ${calendars} mails with the .ics;
${(summary.durationMs / 1000).toFixed(1)} s.
Mail viewer: ${urls.ses}/  (only while the stack runs)`);
    }
    return ok ? 0 : 1;
  } finally {
    clients.close();
    await stop?.();
  }
}

try {
  process.exitCode = await main();
} catch (error) {
  console.error(`Demo failed: ${(error as Error).stack ?? error}`);
  process.exitCode = 1;
}
// Pending timers of an in-process stack must not keep the demo alive.
setTimeout(() => process.exit(), 100).unref();
