/**
 * DynamoDB's batch calls, with what they leave to the caller: at most 100 keys a BatchGetItem
 * and 25 items a BatchWriteItem, and the unprocessed keys or items of a throttled call, read
 * or written again with backoff.
 */
import { BatchGetCommand, BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

const BATCH_WRITE_MAX = 25;
/** Batches of a large write in flight at once. */
const PARALLEL_BATCHES = 4;
const BATCH_GET_MAX = 100;
/** Tries in all for a batch whose keys or items come back unprocessed. */
const BATCH_ATTEMPTS = 6;

/** The wait before try `attempt` (1, 2, …) of a batch's unprocessed part: 100, 200, 400 ms … */
const backoff = (attempt: number) => new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Every item of `keys` that exists, as stored (keys included), in no particular order. */
export async function batchGetItems(
  db: DynamoDBDocumentClient,
  tableName: string,
  keys: Array<{ pk: string; sk: string }>,
  options: { consistent?: boolean } = {},
): Promise<Array<Record<string, unknown>>> {
  const items: Array<Record<string, unknown>> = [];
  for (const batch of chunks(keys, BATCH_GET_MAX)) {
    let pending: Array<Record<string, unknown>> = batch;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= BATCH_ATTEMPTS) throw new Error(`BatchGetItem left ${pending.length} keys unread`);
      if (attempt > 0) await backoff(attempt);
      const out = await db.send(
        new BatchGetCommand({
          RequestItems: { [tableName]: { Keys: pending, ConsistentRead: options.consistent } },
        }),
      );
      items.push(...(out.Responses?.[tableName] ?? []));
      pending = out.UnprocessedKeys?.[tableName]?.Keys ?? [];
    }
  }
  return items;
}

/** Puts every item (BatchWriteItem, 25 at a time; unprocessed items written again with backoff). */
export async function batchPutItems(
  db: DynamoDBDocumentClient,
  tableName: string,
  items: Array<Record<string, unknown>>,
): Promise<void> {
  const writeBatch = async (batch: Array<Record<string, unknown>>) => {
    let requests = batch.map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt >= BATCH_ATTEMPTS)
        throw new Error(`BatchWriteItem left ${requests.length} items unwritten`);
      if (attempt > 0) await backoff(attempt);
      const out = await db.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
      requests = (out.UnprocessedItems?.[tableName] ?? []) as typeof requests;
    }
  };
  for (const group of chunks(chunks(items, BATCH_WRITE_MAX), PARALLEL_BATCHES)) {
    await Promise.all(group.map(writeBatch));
  }
}
