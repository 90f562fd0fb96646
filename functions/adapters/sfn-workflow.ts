/** Step Functions adapters: task callbacks and starting rounds. */
import {
  ExecutionAlreadyExists,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { RoundAlreadyExistsError } from '../domain/errors.ts';
import type { RoundStarter, WorkflowCallbacks } from '../domain/ports.ts';

export class SfnCallbacks implements WorkflowCallbacks {
  constructor(private readonly sfn: Pick<SFNClient, 'send'>) {}

  async succeed(taskToken: string, output: unknown): Promise<void> {
    await this.sfn.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
  }

  async fail(taskToken: string, error: string, cause: string): Promise<void> {
    await this.sfn.send(new SendTaskFailureCommand({ taskToken, error, cause }));
  }
}

export class SfnRoundStarter implements RoundStarter {
  constructor(
    private readonly sfn: Pick<SFNClient, 'send'>,
    private readonly roundStateMachineArn: string,
  ) {}

  async start(roundId: string): Promise<{ executionArn: string }> {
    try {
      // Same name and same input while running: Step Functions answers with the
      // existing execution, so a double start is harmless.
      const out = await this.sfn.send(
        new StartExecutionCommand({
          stateMachineArn: this.roundStateMachineArn,
          name: roundId,
          input: JSON.stringify({ roundId }),
        }),
      );
      return { executionArn: out.executionArn ?? '' };
    } catch (error) {
      if (error instanceof ExecutionAlreadyExists || (error as Error).name === 'ExecutionAlreadyExists') {
        throw new RoundAlreadyExistsError(
          `Kierros "${roundId}" on jo ajettu loppuun. Anna uudelle kierrokselle uusi tunnus (id).`,
        );
      }
      throw error;
    }
  }
}
