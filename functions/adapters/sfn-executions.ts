/**
 * The admin console's view of, and hand on, nomination executions: history, stop, and a
 * new execution for a retry. Same calls on AWS and on the embedded Step Functions API.
 */
import {
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  type SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { ExecutionEvent, NominationExecutions } from '../domain/admin-ports.ts';
import { nominationExecutionName } from '../domain/round.ts';

/** The details object of an event, whatever its type (`taskFailedEventDetails`, …). */
function detailsOf(event: HistoryEvent): Record<string, unknown> {
  for (const [key, value] of Object.entries(event)) {
    if (key.endsWith('EventDetails') && value && typeof value === 'object')
      return value as Record<string, unknown>;
  }
  return {};
}

export function toExecutionEvent(event: HistoryEvent): ExecutionEvent {
  const details = detailsOf(event);
  return {
    at: (event.timestamp instanceof Date ? event.timestamp : new Date(event.timestamp ?? 0)).toISOString(),
    type: event.type ?? 'Unknown',
    state: typeof details.name === 'string' ? details.name : undefined,
    error: typeof details.error === 'string' ? details.error : undefined,
    cause: typeof details.cause === 'string' ? details.cause.slice(0, 500) : undefined,
  };
}

export class SfnNominationExecutions implements NominationExecutions {
  constructor(
    private readonly sfn: Pick<SFNClient, 'send'>,
    private readonly nominationStateMachineArn: string,
  ) {}

  executionArn(name: string): string {
    return `${this.nominationStateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  }

  async history(executionName: string): Promise<ExecutionEvent[]> {
    const events: ExecutionEvent[] = [];
    let nextToken: string | undefined;
    try {
      do {
        const out = await this.sfn.send(
          new GetExecutionHistoryCommand({
            executionArn: this.executionArn(executionName),
            maxResults: 1000,
            nextToken,
            includeExecutionData: false,
          }),
        );
        for (const event of out.events ?? []) events.push(toExecutionEvent(event));
        nextToken = out.nextToken;
      } while (nextToken);
    } catch (error) {
      if (error instanceof ExecutionDoesNotExist || (error as Error).name === 'ExecutionDoesNotExist')
        return [];
      throw error;
    }
    return events;
  }

  async stop(executionName: string, error: string, cause: string): Promise<void> {
    try {
      await this.sfn.send(
        new StopExecutionCommand({ executionArn: this.executionArn(executionName), error, cause }),
      );
    } catch (e) {
      if (e instanceof ExecutionDoesNotExist || (e as Error).name === 'ExecutionDoesNotExist') return;
      throw e;
    }
  }

  async start(executionName: string, input: unknown): Promise<{ executionArn: string }> {
    const out = await this.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: this.nominationStateMachineArn,
        name: executionName,
        input: JSON.stringify(input),
      }),
    );
    return { executionArn: out.executionArn ?? '' };
  }

  nameOf(roundId: string, municipalityId: string): string {
    return nominationExecutionName(roundId, municipalityId);
  }
}
