/**
 * Client-side helpers shared by the CLI, the demo and the tests: the same use cases and
 * adapters the functions use, pointed at whichever endpoints the SDK variables name.
 */

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchGetItems } from '../functions/adapters/dynamo-batch.ts';
import { DynamoNominationStore, keys } from '../functions/adapters/dynamo-store.ts';
import { SfnRoundStarter } from '../functions/adapters/sfn-workflow.ts';
import type { Nomination } from '../functions/domain/types.ts';
import { type StartedRound, startRound } from '../functions/use-cases/start-round.ts';
import { LOCAL_TABLE_NAME, localStateMachineArn } from './endpoints.ts';

export interface ClientOptions {
  tableName?: string;
  roundStateMachineArn?: string;
  /** Local-only: per-Wait-state durations in ms for this round (the demo shortens the start-date wait). */
  waitOverrides?: Record<string, number>;
}

/** Adds the embedded Step Functions' local-only wait-override header to StartExecution. */
function withWaitOverrides(client: SFNClient, overrides: Record<string, number>): SFNClient {
  client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { headers?: Record<string, string> };
      if (request.headers) request.headers['x-nimitys-wait-overrides'] = JSON.stringify(overrides);
      return next(args);
    },
    { step: 'build', name: 'nimitysWaitOverrides' },
  );
  return client;
}

export function createClients(options: ClientOptions = {}) {
  const tableName = options.tableName ?? process.env.TABLE_NAME ?? LOCAL_TABLE_NAME;
  const roundStateMachineArn =
    options.roundStateMachineArn ?? process.env.ROUND_STATE_MACHINE_ARN ?? localStateMachineArn('Round');
  const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  const sfn = new SFNClient({});
  const starterClient = options.waitOverrides
    ? withWaitOverrides(new SFNClient({}), options.waitOverrides)
    : sfn;
  const store = new DynamoNominationStore(dynamo, tableName);
  return {
    sfn,
    store,
    roundStateMachineArn,
    startRound: (fileText: string): Promise<StartedRound> =>
      startRound(fileText, {
        store,
        rounds: new SfnRoundStarter(starterClient, roundStateMachineArn),
        clock: { now: () => new Date() },
      }),
    async roundExecution(roundId: string) {
      const arn = `${roundStateMachineArn.replace(':stateMachine:', ':execution:')}:${roundId}`;
      return sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
    },
    async listRounds() {
      const out = await sfn.send(
        new ListExecutionsCommand({ stateMachineArn: roundStateMachineArn, maxResults: 100 }),
      );
      return out.executions ?? [];
    },
    listNominations: (roundId: string): Promise<Nomination[]> => store.listNominations(roundId),
    /**
     * The round each of these SES message ids was sent for, from the mailer's pointer rows
     * (MAILID#): one row per message SES took, so a mail sent twice shows twice. A message
     * whose row is not written yet (a moment after SES took it) is missing from the answer.
     */
    async roundsOfMessages(messageIds: string[]): Promise<Map<string, string>> {
      const idOfKey = new Map(messageIds.map((id) => [keys.messageId(id).pk, id]));
      const items = await batchGetItems(dynamo, tableName, messageIds.map(keys.messageId), {
        consistent: true,
      });
      const rounds = new Map<string, string>();
      for (const item of items) {
        const id = idOfKey.get(String(item.pk));
        const mailPk = typeof item.mailPk === 'string' ? item.mailPk : '';
        if (id && mailPk.startsWith('ROUND#')) rounds.set(id, mailPk.slice('ROUND#'.length));
      }
      return rounds;
    },
    close() {
      dynamo.destroy();
      sfn.destroy();
      if (starterClient !== sfn) starterClient.destroy();
    },
  };
}

const DAY_MS = 86_400_000;
const addDays = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

/**
 * Moves a round file's dates so its request day is today, keeping the spacing of the
 * deadline and start date: lets anyone run the 2023 example now.
 */
export function shiftRoundDatesToToday<
  T extends { requestDate: string; deadline: string; startDate: string },
>(round: T, today: string): T {
  const shift = Math.round(
    (Date.parse(`${today}T00:00:00Z`) - Date.parse(`${round.requestDate}T00:00:00Z`)) / DAY_MS,
  );
  return {
    ...round,
    requestDate: today,
    deadline: addDays(round.deadline, shift),
    startDate: addDays(round.startDate, shift),
  };
}
