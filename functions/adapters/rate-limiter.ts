/**
 * Per-client rate limit of the link pages: one counter item per client address and minute
 * (pk RATE#<hash of the address>, so no address is stored), counted with one conditional
 * UpdateItem and gone through the table's TTL an hour later. A fixed window: at most
 * `limitPerMinute` requests a minute, a little more across a minute's edge.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { hashClientAddress } from '../domain/link-token.ts';

const WINDOW_MS = 60_000;
const KEEP_SECONDS = 3600;

export class DynamoRateLimiter {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** 0 = no limit. */
    private readonly limitPerMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts this request; false when the client has used up the minute's requests. */
  async allow(clientAddress: string | undefined): Promise<boolean> {
    if (this.limitPerMinute <= 0) return true;
    const window = Math.floor(this.now() / WINDOW_MS);
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: `RATE#${hashClientAddress(clientAddress ?? 'unknown')}`, sk: `W#${window}` },
          UpdateExpression: 'ADD hits :one SET expiresAtEpoch = :expires, kind = :kind',
          ConditionExpression: 'attribute_not_exists(hits) OR hits < :limit',
          ExpressionAttributeValues: {
            ':one': 1,
            ':limit': this.limitPerMinute,
            ':expires': Math.floor((window + 1) * (WINDOW_MS / 1000)) + KEEP_SECONDS,
            ':kind': 'rate',
          },
        }),
      );
      return true;
    } catch (error) {
      if (
        error instanceof ConditionalCheckFailedException ||
        (error as Error)?.name === 'ConditionalCheckFailedException'
      ) {
        return false;
      }
      throw error;
    }
  }
}
