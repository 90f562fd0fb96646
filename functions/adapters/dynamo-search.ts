/**
 * The console's search across rounds on the one table, with Queries only (no Scan).
 *
 * Search items: pk SEARCH#<first two letters of the term>, sk <term>#<round>#<municipality>,
 * one per (normalised term, nomination), written with the round (its municipalities and
 * officials) and with every save of a nomination (its nominees, section, diary number):
 * plain Puts of deterministic keys, so writing them again changes nothing. A query word
 * is looked up with `begins_with(sk, word)` in its partition. Terms of a replaced proposal
 * stay behind; the console checks every hit against the nomination as it is now.
 *
 * State filter: nomination items carry the `byKind` index keys gsi1pk NOMSTATUS#<state>,
 * gsi1sk <updatedAt>#<round>#<municipality>, set in the same write as the state itself.
 */
import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { NominationKey, NominationSearch } from '../domain/admin-ports.ts';
import type { StoredRound } from '../domain/ports.ts';
import { type SearchTerm, termPartition } from '../domain/search.ts';
import type { Nomination, NominationStatus } from '../domain/types.ts';
import { batchGetItems, batchPutItems } from './dynamo-batch.ts';
import { keys, ROUNDS_INDEX } from './dynamo-store.ts';

export const SEARCH_PARTITION_PREFIX = 'SEARCH#';
const NOMINATION_STATUS_PREFIX = 'NOMSTATUS#';

export function searchItemKey(term: string, roundId: string, municipalityId: string) {
  return {
    pk: `${SEARCH_PARTITION_PREFIX}${termPartition(term)}`,
    sk: `${term}#${roundId}#${municipalityId}`,
  };
}

/** The `byKind` index keys of a nomination item: its state, most recently changed first. */
export function nominationStatusIndexKey(
  n: Pick<Nomination, 'status' | 'updatedAt' | 'roundId' | 'municipalityId'>,
) {
  return {
    gsi1pk: `${NOMINATION_STATUS_PREFIX}${n.status}`,
    gsi1sk: `${n.updatedAt}#${n.roundId}#${n.municipalityId}`,
  };
}

export interface SearchEntry {
  roundId: string;
  municipalityId: string;
  terms: SearchTerm[];
}

/** The entries' search items, each (term, nomination) once. */
export function searchItems(entries: SearchEntry[]): Array<Record<string, unknown>> {
  const byKey = new Map<string, Record<string, unknown>>();
  for (const { roundId, municipalityId, terms } of entries) {
    for (const { term, field } of terms) {
      const key = searchItemKey(term, roundId, municipalityId);
      byKey.set(`${key.pk}\n${key.sk}`, { ...key, kind: 'search', roundId, municipalityId, field });
    }
  }
  return [...byKey.values()];
}

/** Writes the entries' search items. */
export async function writeSearchEntries(
  db: DynamoDBDocumentClient,
  tableName: string,
  entries: SearchEntry[],
): Promise<void> {
  await batchPutItems(db, tableName, searchItems(entries));
}

function stripKeys<T>(item: Record<string, unknown>): T {
  const { pk: _pk, sk: _sk, kind: _kind, gsi1pk: _g, gsi1sk: _gs, expiresAtEpoch: _t, ...rest } = item;
  return rest as T;
}

/** Reads behind the console's search (functions/admin/search.ts). */
export class DynamoNominationSearch implements NominationSearch {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async keysByPrefix(prefix: string, limit: number): Promise<{ keys: NominationKey[]; more: boolean }> {
    const found = new Map<string, NominationKey>();
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: {
            ':pk': `${SEARCH_PARTITION_PREFIX}${termPartition(prefix)}`,
            ':prefix': prefix,
          },
          ProjectionExpression: 'roundId, municipalityId',
          ExclusiveStartKey: startKey,
          Limit: 500,
        }),
      );
      for (const item of out.Items ?? []) {
        const key = { roundId: String(item.roundId), municipalityId: String(item.municipalityId) };
        found.set(`${key.roundId}\n${key.municipalityId}`, key);
        if (found.size > limit) return { keys: [...found.values()].slice(0, limit), more: true };
      }
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return { keys: [...found.values()], more: false };
  }

  async byStatus(
    status: NominationStatus,
    limit: number,
  ): Promise<{ nominations: Nomination[]; more: boolean }> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: ROUNDS_INDEX.name,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': ROUNDS_INDEX.partitionKey },
        ExpressionAttributeValues: { ':pk': `${NOMINATION_STATUS_PREFIX}${status}` },
        ScanIndexForward: false,
        Limit: limit + 1,
      }),
    );
    const nominations = (out.Items ?? []).map((item) => stripKeys<Nomination>(item));
    return { nominations: nominations.slice(0, limit), more: nominations.length > limit };
  }

  private async batchGet<T>(requestKeys: Array<{ pk: string; sk: string }>): Promise<T[]> {
    const items = await batchGetItems(this.db, this.tableName, requestKeys);
    return items.map((item) => stripKeys<T>(item));
  }

  getNominations(wanted: NominationKey[]): Promise<Nomination[]> {
    return this.batchGet<Nomination>(wanted.map((k) => keys.nomination(k.roundId, k.municipalityId)));
  }

  getRounds(roundIds: string[]): Promise<StoredRound[]> {
    return this.batchGet<StoredRound>([...new Set(roundIds)].map((id) => keys.round(id)));
  }
}
