#!/usr/bin/env -S node --import tsx
/**
 * nimitys: start and inspect rounds.
 *   nimitys round start FILE [--from-today]   validate a round file, store it and start its workflow
 *   nimitys status [ROUND_ID]                 rounds, or one round's nominations
 * Talks to the embedded stack (npm start) by default; on AWS set AWS_REGION, TABLE_NAME and
 * ROUND_STATE_MACHINE_ARN (from the stack outputs) and unset the AWS_ENDPOINT_URL_* variables.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { RoundFileError } from '../functions/domain/errors.ts';
import { helsinkiDate } from '../functions/domain/time.ts';
import { createClients, shiftRoundDatesToToday } from './client.ts';
import { portsFromEnv, sdkEnvironment } from './endpoints.ts';

const USAGE = `Käyttö / usage:
  nimitys round start FILE [--from-today]   validate and start a round (--from-today: move its dates to start today)
  nimitys status [ROUND_ID]                 list rounds, or show one round's nominations`;

function useLocalStackUnlessConfigured(): void {
  if (process.env.NIMITYS_TARGET === 'aws') return;
  for (const [name, value] of Object.entries(sdkEnvironment(portsFromEnv()))) process.env[name] ??= value;
}

const UNREADABLE: Record<string, string> = {
  ENOENT: 'sitä ei ole',
  EISDIR: 'se on kansio',
  EACCES: 'lukuoikeus puuttuu',
};

/** The file's text (dates moved to today when asked); RoundFileError when it cannot be read. */
function readRoundFile(path: string, fromToday: boolean): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    const reason = UNREADABLE[code] ?? code;
    throw new RoundFileError([
      { field: '(tiedosto)', message: `Tiedostoa ${path} ei voi lukea (${reason})` },
    ]);
  }
  if (!fromToday) return text;
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch {
    return text; // the validator reports the syntax error, in Finnish with its line
  }
  // Not a round with three dates to move: the validator says what is wrong with it.
  const dates = data as Record<string, unknown> | null;
  const isDate = (d: unknown) => typeof d === 'string' && !Number.isNaN(Date.parse(`${d}T00:00:00Z`));
  if (!dates || ![dates.requestDate, dates.deadline, dates.startDate].every(isDate)) return text;
  return stringifyYaml(
    shiftRoundDatesToToday(
      data as { requestDate: string; deadline: string; startDate: string },
      helsinkiDate(new Date()),
    ),
  );
}

async function roundStart(args: string[]): Promise<number> {
  const file = args.find((a) => !a.startsWith('--'));
  if (!file) {
    console.error(USAGE);
    return 2;
  }
  const clients = createClients();
  try {
    const started = await clients.startRound(readRoundFile(file, args.includes('--from-today')));
    const { round } = started;
    console.log(`${started.created ? 'Kierros käynnistetty' : 'Kierros oli jo käynnissä'}: ${round.id}`);
    console.log(
      `  ${round.municipalities.length} kuntaa, ${round.groups.length} ryhmää; vastaukset ${round.deadline} mennessä, ryhmät alkavat ${round.startDate}`,
    );
    console.log(`  execution: ${started.executionArn}`);
    return 0;
  } catch (error) {
    if (error instanceof RoundFileError) {
      console.error(`Kierrostiedosto ${file} ei kelpaa:`);
      for (const fieldError of error.fieldErrors)
        console.error(`  ${fieldError.field}: ${fieldError.message}`);
      return 1;
    }
    console.error(`${(error as Error).name}: ${(error as Error).message}`);
    return 1;
  } finally {
    clients.close();
  }
}

async function status(args: string[]): Promise<number> {
  const clients = createClients();
  try {
    const roundId = args[0];
    if (!roundId) {
      const rounds = await clients.listRounds();
      if (rounds.length === 0) console.log('Ei kierroksia.');
      for (const execution of rounds) {
        const nominations = await clients.listNominations(execution.name ?? '');
        const done = nominations.filter((n) => n.status === 'completed').length;
        console.log(`${execution.name}\t${execution.status}\t${done}/${nominations.length} kuntaa valmiina`);
      }
      return 0;
    }
    const execution = await clients.roundExecution(roundId);
    console.log(`${roundId}: ${execution.status}`);
    for (const n of await clients.listNominations(roundId)) {
      console.log(
        `  ${n.municipalityId.padEnd(14)} ${n.status.padEnd(18)} ${n.members?.length ?? 0} jäsentä`,
      );
    }
    return 0;
  } catch (error) {
    console.error(`${(error as Error).name}: ${(error as Error).message}`);
    return 1;
  } finally {
    clients.close();
  }
}

async function main(argv: string[]): Promise<number> {
  useLocalStackUnlessConfigured();
  const [command, sub, ...rest] = argv;
  if (command === 'round' && sub === 'start') return roundStart(rest);
  if (command === 'status') return status([sub, ...rest].filter((a): a is string => a !== undefined));
  console.error(USAGE);
  return 2;
}

process.exitCode = await main(process.argv.slice(2));
