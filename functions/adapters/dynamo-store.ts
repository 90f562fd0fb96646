/**
 * NominationStore on one DynamoDB table. Every write is a single-item conditional
 * write (no transactions: the embedded DynamoDB has none, and none are needed).
 *
 * Keys: pk ROUND#<round> holds the round (sk ROUND), its nominations (NOM#<municipality>),
 * groups (GROUP#<group>), step waits (WAIT#<municipality>#<step>), outbox (MAIL#…) and
 * audit trail (AUDIT#<municipality>#<time>#<n>); links live under pk LINK#<token hash>.
 *
 * Index `byKind` (gsi1pk, gsi1sk): round items carry gsi1pk ROUNDS and gsi1sk
 * <createdAt>#<round>, so the admin console lists rounds newest first with a Query;
 * nomination items carry NOMSTATUS#<state> (the console's state filter across rounds).
 *
 * Search across rounds (adapters/dynamo-search.ts): storing a round writes its
 * municipalities' search items, saving a nomination those of its nominees and decision.
 * Link opens: pk ROUND#<round>, sk OPENED#<municipality>#<token hash>, one per link.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { AuditNotWrittenError, ConflictError, LinkNotUsableError, NotFoundError } from '../domain/errors.ts';
import type {
  AuditEntry,
  Link,
  LinkOpen,
  LinkOpenEvent,
  NominationStore,
  OutboxRecord,
  StepWait,
  StoredRound,
} from '../domain/ports.ts';
import { municipalityTerms, nominationTerms } from '../domain/search.ts';
import type { GroupState, Nomination, OfficialStep, Round, RoundStatus } from '../domain/types.ts';
import { log } from '../shared/logger.ts';
import { batchGetItems, batchPutItems } from './dynamo-batch.ts';
import { nominationStatusIndexKey, searchItems, writeSearchEntries } from './dynamo-search.ts';

export const keys = {
  round: (roundId: string) => ({ pk: `ROUND#${roundId}`, sk: 'ROUND' }),
  nomination: (roundId: string, municipalityId: string) => ({
    pk: `ROUND#${roundId}`,
    sk: `NOM#${municipalityId}`,
  }),
  group: (roundId: string, groupId: string) => ({ pk: `ROUND#${roundId}`, sk: `GROUP#${groupId}` }),
  wait: (roundId: string, municipalityId: string, step: OfficialStep) => ({
    pk: `ROUND#${roundId}`,
    sk: `WAIT#${municipalityId}#${step}`,
  }),
  link: (tokenHash: string) => ({ pk: `LINK#${tokenHash}`, sk: 'LINK' }),
  mail: (roundId: string, scope: string, purpose: string, recipient: string) => ({
    pk: `ROUND#${roundId}`,
    sk: `MAIL#${scope}#${purpose}#${recipient.toLowerCase()}`,
  }),
  /** Points from an SES message id to its outbox row (delivery events carry only the id). */
  messageId: (messageId: string) => ({ pk: `MAILID#${messageId}`, sk: 'MAILID' }),
  audit: (roundId: string, municipalityId: string, at: string, nonce: string) => ({
    pk: `ROUND#${roundId}`,
    sk: `AUDIT#${municipalityId}#${at}#${nonce}`,
  }),
  linkOpen: (roundId: string, municipalityId: string, tokenHash: string) => ({
    pk: `ROUND#${roundId}`,
    sk: `OPENED#${municipalityId}#${tokenHash}`,
  }),
};

/** The `byKind` index: every round under one partition, newest first by creation time. */
export const ROUNDS_INDEX = {
  name: 'byKind',
  partitionKey: 'gsi1pk',
  sortKey: 'gsi1sk',
  rounds: 'ROUNDS',
} as const;

export function roundsIndexKey(round: StoredRound): { gsi1pk: string; gsi1sk: string } {
  return { gsi1pk: ROUNDS_INDEX.rounds, gsi1sk: `${round.createdAt}#${round.round.id}` };
}

/** Links and waits expire from the table some time after their step's deadline. */
const RETENTION_AFTER_EXPIRY_SECONDS = 90 * 24 * 3600;

function strip<T>(item: Record<string, unknown> | undefined): T | undefined {
  if (!item) return undefined;
  const { pk: _pk, sk: _sk, kind: _kind, expiresAtEpoch: _ttl, gsi1pk: _g1, gsi1sk: _g1s, ...rest } = item;
  return rest as T;
}

function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error as Error)?.name === 'ConditionalCheckFailedException'
  );
}

/** Round definitions kept per process (getRoundDefinition). */
const KEPT_ROUND_DEFINITIONS = 200;
/** Nominations whose written search terms are remembered (writeEntriesOf); a national round is 308. */
const KEPT_INDEXED_NOMINATIONS = 5000;

/** A shared definition must not be changed by one of its readers. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

export class DynamoNominationStore implements NominationStore {
  private readonly definitions = new Map<string, Round>();
  /** Per nomination, the search terms this process last wrote (writeEntriesOf). */
  private readonly indexed = new Map<string, string>();
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private async get<T>(key: { pk: string; sk: string }): Promise<T | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
    );
    return strip<T>(out.Item);
  }

  private async queryPrefix<T>(pk: string, prefix: string): Promise<T[]> {
    const items: T[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
          ExclusiveStartKey: startKey,
          ConsistentRead: true,
        }),
      );
      for (const item of out.Items ?? []) items.push(strip<T>(item) as T);
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  private async putIfAbsent(key: { pk: string; sk: string }, kind: string, item: object): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...item, ...key, kind },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async putRoundIfAbsent(round: StoredRound): Promise<{ stored: StoredRound; created: boolean }> {
    const key = keys.round(round.round.id);
    const indexed = { ...round, ...roundsIndexKey(round) };
    const created = await this.putIfAbsent(key, 'round', indexed);
    const stored = created ? round : await this.get<StoredRound>(key);
    if (!stored) throw new ConflictError(`Round ${round.round.id} vanished while being created`);
    // Not only on creation: a retried start completes an index a failure cut short. A
    // different definition under the same id is refused by the caller: it writes nothing.
    if (!created && stored.definitionHash !== round.definitionHash) return { stored, created };
    await writeSearchEntries(
      this.db,
      this.tableName,
      stored.round.municipalities.map((m) => ({
        roundId: stored.round.id,
        municipalityId: m.id,
        terms: municipalityTerms(m),
      })),
    );
    return { stored, created };
  }

  /**
   * After a write of a nomination: its search items (nominees, section, diary number) and
   * the audit entry of the change, in one BatchWriteItem where there are both.
   * The index is best effort: a failure is logged, not thrown (the next save writes the
   * items again; the console checks every hit against the nomination). Items this process
   * has already written for the nomination are not written again: most saves (approval,
   * status changes, members) change no term. The audit entry is not best effort: when the
   * batch fails it is written alone, and a failure of that is thrown (its key is made once,
   * so writing it twice doubles nothing).
   */
  private async writeEntriesOf(nomination: Nomination, audit?: AuditEntry): Promise<void> {
    const auditItem = audit && this.auditItem(audit);
    const terms = nominationTerms(nomination);
    const nominationKey = `${nomination.roundId}\n${nomination.municipalityId}`;
    const signature = terms.map((t) => `${t.field}:${t.term}`).join('\n');
    if (terms.length === 0 || this.indexed.get(nominationKey) === signature) {
      if (auditItem) await this.putAuditItem(auditItem);
      return;
    }
    const index = searchItems([
      { roundId: nomination.roundId, municipalityId: nomination.municipalityId, terms },
    ]);
    try {
      await batchPutItems(this.db, this.tableName, auditItem ? [auditItem, ...index] : index);
      if (this.indexed.size >= KEPT_INDEXED_NOMINATIONS) this.indexed.clear();
      this.indexed.set(nominationKey, signature);
    } catch (error) {
      log.warn('search index not written', {
        error: (error as Error)?.name,
        errorMessage: (error as Error)?.message,
      });
      if (auditItem) await this.putAuditItem(auditItem);
    }
  }

  async getRound(roundId: string): Promise<StoredRound | undefined> {
    const stored = await this.get<StoredRound>(keys.round(roundId));
    if (stored) this.keepDefinition(stored.round);
    return stored;
  }

  /** Read once per process: the definition never changes (the status is not part of it). */
  async getRoundDefinition(roundId: string): Promise<Round | undefined> {
    const kept = this.definitions.get(roundId);
    if (kept) return kept;
    // The kept copy even the first time: it is frozen, so a reader that changes it fails at once.
    return (await this.getRound(roundId)) && this.definitions.get(roundId);
  }

  private keepDefinition(round: Round): void {
    if (this.definitions.has(round.id)) return;
    // Oldest out first; a national round is a few dozen rounds.
    if (this.definitions.size >= KEPT_ROUND_DEFINITIONS) {
      const oldest = this.definitions.keys().next().value;
      if (oldest !== undefined) this.definitions.delete(oldest);
    }
    this.definitions.set(round.id, deepFreeze(structuredClone(round)));
  }

  async setRoundStatus(roundId: string, status: RoundStatus): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.round(roundId),
        UpdateExpression: 'SET #status = :status',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':status': status },
      }),
    );
  }

  async putNominationIfAbsent(nomination: Nomination): Promise<void> {
    const created = await this.putIfAbsent(
      keys.nomination(nomination.roundId, nomination.municipalityId),
      'nomination',
      { ...nomination, ...nominationStatusIndexKey(nomination) },
    );
    if (created) await this.writeEntriesOf(nomination);
  }

  getNomination(roundId: string, municipalityId: string): Promise<Nomination | undefined> {
    return this.get<Nomination>(keys.nomination(roundId, municipalityId));
  }

  async saveNomination(next: Nomination, audit?: AuditEntry): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...next,
            ...keys.nomination(next.roundId, next.municipalityId),
            kind: 'nomination',
            ...nominationStatusIndexKey(next),
          },
          ConditionExpression: '#version = :expected',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':expected': next.version - 1 },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) {
        throw new ConflictError(
          `Nomination ${next.roundId}/${next.municipalityId} was changed by someone else`,
        );
      }
      throw error;
    }
    try {
      await this.writeEntriesOf(next, audit);
    } catch (error) {
      throw new AuditNotWrittenError(`Audit entry of ${next.roundId}/${next.municipalityId} not written`, {
        cause: error,
      });
    }
  }

  listNominations(roundId: string): Promise<Nomination[]> {
    return this.queryPrefix<Nomination>(`ROUND#${roundId}`, 'NOM#');
  }

  async putGroupIfAbsent(group: GroupState): Promise<void> {
    await this.putIfAbsent(keys.group(group.roundId, group.groupId), 'group', group);
  }

  getGroup(roundId: string, groupId: string): Promise<GroupState | undefined> {
    return this.get<GroupState>(keys.group(roundId, groupId));
  }

  async saveGroup(group: GroupState): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...group, ...keys.group(group.roundId, group.groupId), kind: 'group' },
      }),
    );
  }

  async putLink(link: Link): Promise<void> {
    const expiresAtEpoch = Math.floor(Date.parse(link.expiresAt) / 1000) + RETENTION_AFTER_EXPIRY_SECONDS;
    const created = await this.putIfAbsent(keys.link(link.tokenHash), 'link', { ...link, expiresAtEpoch });
    if (!created) throw new ConflictError('Link token collision');
  }

  getLink(tokenHash: string): Promise<Link | undefined> {
    return this.get<Link>(keys.link(tokenHash));
  }

  async useLink(tokenHash: string, usedAt: string): Promise<Link> {
    try {
      const out = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.link(tokenHash),
          UpdateExpression: 'SET #status = :used, usedAt = :usedAt',
          ConditionExpression: 'attribute_exists(pk) AND #status = :open',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':used': 'used', ':open': 'open', ':usedAt': usedAt },
          ReturnValues: 'ALL_NEW',
          // The losers of a race learn the link's state from the failed write itself.
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return strip<Link>(out.Attributes) as Link;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // DynamoDB (and DynamoDB Local) return the item the condition saw, as raw attribute
      // values, absent if there was none; dynalite never does: read the link then.
      const seen = (error as ConditionalCheckFailedException).Item;
      const status = seen ? seen.status?.S : (await this.getLink(tokenHash))?.status;
      if (!status) throw new NotFoundError('Link not found');
      throw new LinkNotUsableError(status === 'superseded' ? 'superseded' : 'used', 'Link already used');
    }
  }

  async reopenLink(tokenHash: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.link(tokenHash),
        UpdateExpression: 'SET #status = :open REMOVE usedAt',
        ConditionExpression: '#status = :used',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':used': 'used', ':open': 'open' },
      }),
    );
  }

  async supersedeLink(tokenHash: string): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.link(tokenHash),
          UpdateExpression: 'SET #status = :superseded',
          ConditionExpression: '#status = :open',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':superseded': 'superseded', ':open': 'open' },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error; // already used or superseded: nothing to do
    }
  }

  getWait(roundId: string, municipalityId: string, step: OfficialStep): Promise<StepWait | undefined> {
    return this.get<StepWait>(keys.wait(roundId, municipalityId, step));
  }

  /** One consistent BatchGetItem for the nomination, the step's wait and (with `openedLink`) the link's open record. */
  async getNominationAndWait(
    roundId: string,
    municipalityId: string,
    step: OfficialStep,
    openedLink?: string,
  ): Promise<{ nomination?: Nomination; wait?: StepWait; linkOpen?: LinkOpen }> {
    const { nomination, wait, others } = await this.readWithNomination(
      roundId,
      municipalityId,
      step,
      openedLink ? [keys.linkOpen(roundId, municipalityId, openedLink)] : [],
    );
    return { nomination, wait, linkOpen: strip<LinkOpen>(others[0]) };
  }

  /** One consistent BatchGetItem for the first found of the links, the nomination and the step's wait. */
  async getLinkNominationAndWait(
    tokenHashes: string[],
    roundId: string,
    municipalityId: string,
    step: OfficialStep,
  ): Promise<{ link?: Link; nomination?: Nomination; wait?: StepWait }> {
    const linkKeys = tokenHashes.map(keys.link);
    const { nomination, wait, others } = await this.readWithNomination(
      roundId,
      municipalityId,
      step,
      linkKeys,
    );
    const found = linkKeys.map(({ pk }) => others.find((item) => item.pk === pk)).find(Boolean);
    return { link: strip<Link>(found), nomination, wait };
  }

  /** The nomination and the step's wait, and as they are stored, whichever of the other items exist. */
  private async readWithNomination(
    roundId: string,
    municipalityId: string,
    step: OfficialStep,
    otherKeys: Array<{ pk: string; sk: string }>,
  ): Promise<{ nomination?: Nomination; wait?: StepWait; others: Array<Record<string, unknown>> }> {
    const nominationKey = keys.nomination(roundId, municipalityId);
    const waitKey = keys.wait(roundId, municipalityId, step);
    const wanted = [nominationKey, waitKey, ...otherKeys];
    const found: { nomination?: Nomination; wait?: StepWait; others: Array<Record<string, unknown>> } = {
      others: [],
    };
    for (const item of await batchGetItems(this.db, this.tableName, wanted, { consistent: true })) {
      if (item.sk === nominationKey.sk) found.nomination = strip<Nomination>(item);
      else if (item.sk === waitKey.sk) found.wait = strip<StepWait>(item);
      else found.others.push(item);
    }
    return found;
  }

  async putWait(wait: StepWait): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...wait, ...keys.wait(wait.roundId, wait.municipalityId, wait.step), kind: 'wait' },
      }),
    );
  }

  async addAudit(entry: AuditEntry): Promise<void> {
    await this.putAuditItem(this.auditItem(entry));
  }

  /** An audit entry as stored; the nonce keeps two entries of one moment apart. */
  private auditItem(entry: AuditEntry): Record<string, unknown> {
    const nonce = Math.random().toString(36).slice(2, 10);
    return { ...entry, ...keys.audit(entry.roundId, entry.municipalityId, entry.at, nonce), kind: 'audit' };
  }

  private async putAuditItem(item: Record<string, unknown>): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: item }));
  }

  listAudit(roundId: string, municipalityId: string): Promise<AuditEntry[]> {
    return this.queryPrefix<AuditEntry>(`ROUND#${roundId}`, `AUDIT#${municipalityId}#`);
  }

  /** One UpdateItem: creates the link's open record or counts one more open on it. */
  async recordLinkOpen({ link, at, suspected }: LinkOpenEvent): Promise<void> {
    const set = [
      'roundId = :round',
      'municipalityId = :municipality',
      'step = :step',
      'recipientName = :recipient',
      'linkCreatedAt = :created',
      'firstOpenedAt = if_not_exists(firstOpenedAt, :at)',
      'lastOpenedAt = :at',
      '#kind = :kind',
      ...(link.mailPurpose ? ['mailPurpose = :purpose'] : []),
      suspected
        ? 'suspectedSign = if_not_exists(suspectedSign, :sign)'
        : 'firstPersonOpenedAt = if_not_exists(firstPersonOpenedAt, :at)',
    ];
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.linkOpen(link.roundId, link.municipalityId, link.tokenHash),
        UpdateExpression: `SET ${set.join(', ')} ADD openCount :one${suspected ? ', suspectedCount :one' : ''}`,
        ExpressionAttributeNames: { '#kind': 'kind' },
        ExpressionAttributeValues: {
          ':round': link.roundId,
          ':municipality': link.municipalityId,
          ':step': link.step,
          ':recipient': link.recipientName,
          ':created': link.createdAt,
          ':at': at,
          ':kind': 'link-open',
          ':one': 1,
          ...(link.mailPurpose && { ':purpose': link.mailPurpose }),
          ...(suspected && { ':sign': suspected }),
        },
      }),
    );
  }

  // --- Admin console reads (functions/admin): Queries only, no Scan ------------------

  /** Every round, newest first: one Query on the `byKind` index (projection ALL). */
  async listRounds(): Promise<StoredRound[]> {
    const items: StoredRound[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: ROUNDS_INDEX.name,
          KeyConditionExpression: '#pk = :rounds',
          ExpressionAttributeNames: { '#pk': ROUNDS_INDEX.partitionKey },
          ExpressionAttributeValues: { ':rounds': ROUNDS_INDEX.rounds },
          ScanIndexForward: false,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of out.Items ?? []) items.push(strip<StoredRound>(item) as StoredRound);
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  /** The groups of a round with their state: one Query. */
  listGroups(roundId: string): Promise<GroupState[]> {
    return this.queryPrefix<GroupState>(`ROUND#${roundId}`, 'GROUP#');
  }

  /** The open waits of a round (who is being waited on, since when): one Query. */
  listWaits(roundId: string): Promise<StepWait[]> {
    return this.queryPrefix<StepWait>(`ROUND#${roundId}`, 'WAIT#');
  }

  /**
   * Mails of a round that bounced, were complained about or failed, or that SES has not taken
   * yet and the workflow retries (status retrying): one Query, filtered in DynamoDB.
   */
  async listUndeliveredMail(roundId: string): Promise<OutboxRecord[]> {
    const items: OutboxRecord[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :mail)',
          FilterExpression:
            'deliveryState IN (:bounced, :complained, :failed) OR #status IN (:failed, :retrying)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':pk': `ROUND#${roundId}`,
            ':mail': 'MAIL#',
            ':bounced': 'bounced',
            ':complained': 'complained',
            ':failed': 'failed',
            ':retrying': 'retrying',
          },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of out.Items ?? []) items.push(strip<OutboxRecord>(item) as OutboxRecord);
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  /** The open records of a nomination's links: one Query. */
  listLinkOpens(roundId: string, municipalityId: string): Promise<LinkOpen[]> {
    return this.queryPrefix<LinkOpen>(`ROUND#${roundId}`, `OPENED#${municipalityId}#`);
  }

  /** The outbox rows of one municipality (or `group:<id>` / `round`) in a round: one Query. */
  listMail(roundId: string, scope: string): Promise<OutboxRecord[]> {
    return this.queryPrefix<OutboxRecord>(`ROUND#${roundId}`, `MAIL#${scope}#`);
  }
}
