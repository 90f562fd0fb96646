/**
 * National round: 21 wellbeing services counties and Helsinki, 308 municipalities,
 * 4 nominees each (1,232 people), every official answering through the real link pages
 * (GET, then POST) on one embedded stack, all excerpts and activation mails sent.
 */
import { GetExecutionHistoryCommand, ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { helsinkiDate } from '../functions/domain/time.ts';
import type { Person } from '../functions/domain/types.ts';
import { createClients } from '../local/client.ts';
import { actOnMail, escapeRegExp, pool } from '../local/officials.ts';
import type { SesMail } from '../local/ses-store.ts';
import { startEmbeddedStack } from '../local/stack.ts';
import { RoundStates } from '../workflows/states.ts';
import { type Counters, difference, INSTRUMENT_THREAD, instrument, snapshot } from './lib/instrument.ts';
import { Mailbox } from './lib/mailbox.ts';

export const ORGANISERS = [
  'Itä-Uudenmaan hyvinvointialue',
  'Keski-Uudenmaan hyvinvointialue',
  'Länsi-Uudenmaan hyvinvointialue',
  'Vantaan ja Keravan hyvinvointialue',
  'Varsinais-Suomen hyvinvointialue',
  'Satakunnan hyvinvointialue',
  'Kanta-Hämeen hyvinvointialue',
  'Pirkanmaan hyvinvointialue',
  'Päijät-Hämeen hyvinvointialue',
  'Kymenlaakson hyvinvointialue',
  'Etelä-Karjalan hyvinvointialue',
  'Etelä-Savon hyvinvointialue',
  'Pohjois-Savon hyvinvointialue',
  'Pohjois-Karjalan hyvinvointialue',
  'Keski-Suomen hyvinvointialue',
  'Etelä-Pohjanmaan hyvinvointialue',
  'Pohjanmaan hyvinvointialue',
  'Keski-Pohjanmaan hyvinvointialue',
  'Pohjois-Pohjanmaan hyvinvointialue',
  'Kainuun hyvinvointialue',
  'Lapin hyvinvointialue',
  'Helsingin kaupunki',
];
export const MUNICIPALITIES = 308;
const NOMINEES_PER_MUNICIPALITY = 4;
const GROUPS_PER_ORGANISER = 2;
const ACTING_CONCURRENCY = 32;
/** How often the officials look at their mail, and the driver at the rounds' executions. */
const MAIL_POLL_MS = 50;
const ROUND_CHECK_MS = 500;
const TIME_LIMIT_MS = 600_000;

const DAY = 86_400_000;
const isoDay = (offsetDays: number) => helsinkiDate(new Date(Date.now() + offsetDays * DAY));

function nomineesOf(municipalityId: string): Person[] {
  const titles = [
    'hyvinvointikoordinaattori',
    'liikuntasuunnittelija',
    'nuorisotyön esihenkilö',
    'sosiaaliohjaaja',
  ];
  const names = ['Aino Virtanen', 'Eino Korhonen', 'Helmi Mäkinen', 'Onni Nieminen'];
  return Array.from({ length: NOMINEES_PER_MUNICIPALITY }, (_, i) => ({
    name: names[i] as string,
    title: titles[i] as string,
    email: `jasen${i + 1}@${municipalityId}.example`,
  }));
}

/** One round file per organiser, municipalities spread evenly (14 each). */
export function nationalRoundFiles(
  runId: string,
): Array<{ id: string; text: string; municipalityIds: string[] }> {
  const perOrganiser = Math.ceil(MUNICIPALITIES / ORGANISERS.length);
  return ORGANISERS.map((organiser, o) => {
    const municipalities = Array.from({ length: perOrganiser }, (_, i) => o * perOrganiser + i)
      .filter((n) => n < MUNICIPALITIES)
      .map((n) => {
        const id = `k${String(n + 1).padStart(3, '0')}`;
        const official = (role: string) => ({
          name: `${role} Kunta${n + 1}`,
          title: role,
          email: `${role}@${id}.example`,
        });
        return {
          id,
          name: `Kunta ${n + 1}`,
          registryEmail: `kirjaamo@${id}.example`,
          boardEmail: `kunnanhallitus@${id}.example`,
          preparer: official('valmistelija'),
          presenter: official('esittelija'),
          body: { name: 'hyvinvointilautakunta', secretaryEmail: `lautakunta@${id}.example` },
        };
      });
    const size = Math.ceil(municipalities.length / GROUPS_PER_ORGANISER);
    const groups = Array.from({ length: GROUPS_PER_ORGANISER }, (_, g) => ({
      id: `ryhma-${g + 1}`,
      name: `Alueellinen kumppanuusryhmä ${g + 1}`,
      municipalities: municipalities.slice(g * size, (g + 1) * size).map((m) => m.id),
    })).filter((g) => g.municipalities.length > 0);
    const id = `bench-${runId}-${o + 1}`;
    const file = {
      id,
      title: 'Edustajien nimeäminen alueellisiin kumppanuusryhmiin',
      caseText: 'Kuntia pyydetään nimeämään alueelliseen kumppanuusryhmään 1–4 työntekijää.',
      organiser: {
        name: organiser,
        registryEmail: `kirjaamo@organisaatio${o + 1}.example`,
        contact: {
          name: 'Yhteys Henkilö',
          title: 'hyvinvointikoordinaattori',
          email: `hyte@organisaatio${o + 1}.example`,
        },
      },
      requestDate: isoDay(0),
      deadline: isoDay(30),
      startDate: isoDay(60),
      groups,
      municipalities,
    };
    return { id, text: JSON.stringify(file), municipalityIds: municipalities.map((m) => m.id) };
  });
}

/** Mails a municipality's nomination and its group's activation produce with these nominees. */
function expectedMailCount(files: ReturnType<typeof nationalRoundFiles>): number {
  const perMunicipality =
    3 + // proposal, approval and decision links
    1 + // the excerpt to the organiser
    1 + // tiedoksi to the municipal board
    NOMINEES_PER_MUNICIPALITY + // tiedoksi to the nominees (none is the presenter)
    NOMINEES_PER_MUNICIPALITY + // welcome
    1; // the notice to the municipality's presenter that its group started
  const groups = files.length * GROUPS_PER_ORGANISER; // a roster each
  return MUNICIPALITIES * perMunicipality + groups;
}

export interface NationalResult {
  organisers: number;
  municipalities: number;
  people: number;
  wallSeconds: number;
  executions: { rounds: number; nominations: number; succeeded: number; stateTransitions: number };
  mails: { expected: number; received: number; duplicates: number };
  links: { gets: number; posts: number; medianGetMs: number; medianPostMs: number };
  peakRssMiB: number;
  counters: Counters;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? (sorted[Math.floor(sorted.length / 2)] as number) : 0;
};

export async function runNationalRound(progress: (line: string) => void): Promise<NationalResult> {
  process.env.NIMITYS_LOG_LEVEL = 'silent';
  const counters = instrument();
  const stack = await startEmbeddedStack({
    ports: { dynamodb: 0, ses: 0, sfn: 0, http: 0 },
    routeThreadPreload: [INSTRUMENT_THREAD],
  });
  const clients = createClients({ waitOverrides: { [RoundStates.WaitForStartDate]: 100 } });
  const mailbox = new Mailbox();
  try {
    const files = nationalRoundFiles(Date.now().toString(36));
    const before = snapshot(counters);
    const started = performance.now();
    await Promise.all(files.map((file) => clients.startRound(file.text)));

    const linkPattern = new RegExp(`${escapeRegExp(stack.urls.http)}/l/[A-Za-z0-9_-]+`);
    const today = helsinkiDate(new Date());
    const getMs: number[] = [];
    const postMs: number[] = [];
    let handled = 0;
    let failure: Error | undefined;
    // The officials: each acts on a mail as soon as it arrives, at most ACTING_CONCURRENCY at
    // once, while the rounds go on (no batches: one slow page does not hold the others up).
    const queue: SesMail[] = [];
    let acting = 0;
    const act = (mail: SesMail) => {
      acting++;
      actOnMail(
        mail,
        linkPattern,
        (m) => nomineesOf(m.to.split('@')[1]?.replace('.example', '') ?? ''),
        today,
      )
        .then((done) => {
          if (done) {
            getMs.push(done.getMs);
            postMs.push(done.postMs);
          }
        })
        .catch((error: Error) => {
          failure ??= error;
        })
        .finally(() => {
          acting--;
          const next = queue.shift();
          if (next) act(next);
        });
    };
    const pending = new Set(files.map((f) => f.id));
    let lastCheck = 0;
    while (pending.size > 0) {
      if (failure) throw failure;
      if (performance.now() - started > TIME_LIMIT_MS)
        throw new Error('National round did not finish in time');
      for (const mail of mailbox.next()) {
        handled++;
        if (acting < ACTING_CONCURRENCY) act(mail);
        else queue.push(mail);
      }
      if (performance.now() - lastCheck > ROUND_CHECK_MS) {
        lastCheck = performance.now();
        await Promise.all(
          [...pending].map(async (id) => {
            const execution = await clients.roundExecution(id);
            if (execution.status === 'RUNNING') return;
            pending.delete(id);
            if (execution.status !== 'SUCCEEDED') {
              failure ??= new Error(
                `Round ${id} ended ${execution.status}: ${execution.error}: ${execution.cause}`,
              );
            }
          }),
        );
      }
      progress(
        `national round: ${handled} mails handled, ${postMs.length}/${MUNICIPALITIES * 3} forms posted, ${files.length - pending.size}/${files.length} rounds done`,
      );
      await new Promise((resolve) => setTimeout(resolve, MAIL_POLL_MS));
    }
    if (failure) throw failure;
    const wallSeconds = (performance.now() - started) / 1000;
    const measured = difference(counters, before);

    const executions = (
      await Promise.all(
        [stack.stateMachineArns.round, stack.stateMachineArns.nomination].map(async (stateMachineArn) => {
          const all = [];
          let nextToken: string | undefined;
          do {
            const page = await clients.sfn.send(
              new ListExecutionsCommand({ stateMachineArn, maxResults: 1000, nextToken }),
            );
            all.push(...(page.executions ?? []));
            nextToken = page.nextToken;
          } while (nextToken);
          return all;
        }),
      )
    ).flat();
    let stateTransitions = 0;
    await pool(executions, 16, async (execution) => {
      let nextToken: string | undefined;
      do {
        const page = await clients.sfn.send(
          new GetExecutionHistoryCommand({
            executionArn: execution.executionArn,
            maxResults: 1000,
            nextToken,
          }),
        );
        stateTransitions += (page.events ?? []).filter((e) => e.type?.endsWith('StateEntered')).length;
        nextToken = page.nextToken;
      } while (nextToken);
    });

    const mails = Mailbox.all();
    const keys = mails.map((m) => `${m.to}\n${m.subject}`);
    return {
      organisers: files.length,
      municipalities: MUNICIPALITIES,
      people: MUNICIPALITIES * NOMINEES_PER_MUNICIPALITY,
      wallSeconds,
      executions: {
        rounds: executions.filter((e) => e.stateMachineArn === stack.stateMachineArns.round).length,
        nominations: executions.filter((e) => e.stateMachineArn === stack.stateMachineArns.nomination).length,
        succeeded: executions.filter((e) => e.status === 'SUCCEEDED').length,
        stateTransitions,
      },
      mails: {
        expected: expectedMailCount(files),
        received: mails.length,
        duplicates: keys.length - new Set(keys).size,
      },
      links: {
        gets: getMs.length,
        posts: postMs.length,
        medianGetMs: median(getMs),
        medianPostMs: median(postMs),
      },
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
      counters: measured,
    };
  } finally {
    clients.close();
    await stack.stop();
  }
}
