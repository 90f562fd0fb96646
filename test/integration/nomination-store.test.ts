/**
 * The nomination store on dynalite through the real SDK: the audit entry of a change goes
 * with the nomination's new search items in one BatchWriteItem, alone when there are none,
 * and not at all when the save loses its optimistic lock; a submit's link is read with its
 * nomination and wait in one BatchGetItem.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DynamoNominationSearch } from '../../functions/adapters/dynamo-search.ts';
import { DynamoNominationStore } from '../../functions/adapters/dynamo-store.ts';
import { ConflictError } from '../../functions/domain/errors.ts';
import type { AuditEntry } from '../../functions/domain/ports.ts';
import type { Nomination } from '../../functions/domain/types.ts';
import { LOCAL_REGION } from '../../local/endpoints.ts';
import { type EmbeddedStack, startEmbeddedStack } from '../../local/stack.ts';
import { liperiNominees } from '../fixtures/liperi.ts';

vi.hoisted(() => {
  process.env.NIMITYS_LOG_LEVEL = 'silent';
});

describe('the nomination store on dynalite', () => {
  let stack: EmbeddedStack;
  let store: DynamoNominationStore;
  let search: DynamoNominationSearch;
  /** The DynamoDB operations this test's client sent, in order. */
  const sent: string[] = [];
  const roundId = `store-it-${Date.now().toString(36)}`;

  beforeAll(async () => {
    stack = await startEmbeddedStack({ ports: { dynamodb: 0, ses: 0, sfn: 0, http: 0 } });
    const client = new DynamoDBClient({
      endpoint: stack.urls.dynamodb,
      region: LOCAL_REGION,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    client.middlewareStack.add(
      (next, context) => (args) => {
        sent.push(String(context.commandName).replace(/Command$/, ''));
        return next(args);
      },
      { step: 'initialize', name: 'countOperations' },
    );
    const db = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    store = new DynamoNominationStore(db, 'nimitys');
    search = new DynamoNominationSearch(db, 'nimitys');
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const pending: Nomination = {
    roundId,
    municipalityId: 'liperi',
    groupId: 'g1',
    status: 'awaiting_proposal',
    updatedAt: '2026-11-28T08:00:00.000Z',
    version: 1,
  };
  const auditOf = (action: string, at: string): AuditEntry => ({
    roundId,
    municipalityId: 'liperi',
    at,
    actor: 'riitta.lappalainen@liperi.example',
    action,
    clientIpHash: '0123456789abcdef0123456789abcdef',
    userAgent: 'store-it',
  });

  it('writes the audit entry with the new search items in one request, and alone when no term changed', async () => {
    await store.putNominationIfAbsent(pending);
    const proposed: Nomination = {
      ...pending,
      status: 'awaiting_approval',
      version: 2,
      updatedAt: '2026-11-28T08:05:00.000Z',
      proposal: {
        nominees: liperiNominees(),
        text: 'Ehdotus',
        submittedAt: '2026-11-28T08:05:00.000Z',
        submittedBy: 'riitta.lappalainen@liperi.example',
      },
    };
    sent.length = 0;
    await store.saveNomination(proposed, auditOf('proposal-submitted', proposed.updatedAt));
    expect(sent).toEqual(['PutItem', 'BatchWriteItem']);

    const approved: Nomination = { ...proposed, status: 'awaiting_decision', version: 3 };
    sent.length = 0;
    await store.saveNomination(approved, auditOf('approval-approved', '2026-11-28T08:10:00.000Z'));
    expect(sent).toEqual(['PutItem', 'PutItem']);

    expect((await store.listAudit(roundId, 'liperi')).map((a) => [a.action, a.userAgent])).toEqual([
      ['proposal-submitted', 'store-it'],
      ['approval-approved', 'store-it'],
    ]);
    const surname = (liperiNominees()[0]?.name.split(' ').at(-1) ?? '').toLowerCase();
    const found = await search.keysByPrefix(surname, 10);
    expect(found.keys).toContainEqual(expect.objectContaining({ roundId, municipalityId: 'liperi' }));
  });

  it('reads a link by either of its hashes with a nomination and its wait in one BatchGetItem', async () => {
    const municipalityId = 'outokumpu';
    await store.putNominationIfAbsent({ ...pending, municipalityId });
    const wait = {
      roundId,
      municipalityId,
      step: 'proposal' as const,
      taskToken: 'task-token',
      linkTokenHash: 'b'.repeat(64),
      openedAt: '2026-11-28T08:00:00.000Z',
    };
    await store.putWait(wait);
    const link = {
      tokenHash: 'b'.repeat(64),
      roundId,
      municipalityId,
      step: 'proposal' as const,
      recipientEmail: 'valmistelija@outokumpu.example',
      recipientName: 'Valmistelija',
      status: 'open' as const,
      createdAt: '2026-11-28T08:00:00.000Z',
      expiresAt: '2026-12-31T22:00:00.000Z',
    };
    await store.putLink(link);

    sent.length = 0;
    // The current pepper's hash first (no such link), then the previous one's.
    const found = await store.getLinkNominationAndWait(
      ['a'.repeat(64), link.tokenHash],
      roundId,
      municipalityId,
      'proposal',
    );
    expect(sent).toEqual(['BatchGetItem']);
    expect(found.link).toEqual(link);
    expect(found.nomination).toEqual({ ...pending, municipalityId });
    expect(found.wait).toEqual(wait);

    const none = await store.getLinkNominationAndWait(['c'.repeat(64)], roundId, municipalityId, 'approval');
    expect(none).toEqual({ link: undefined, nomination: { ...pending, municipalityId }, wait: undefined });
  });

  it('writes no audit entry when the save loses to someone else’s change', async () => {
    const stale: Nomination = {
      ...pending,
      status: 'rejected',
      version: 2,
      updatedAt: '2026-11-28T09:00:00.000Z',
    };
    await expect(
      store.saveNomination(stale, auditOf('decision-rejected', stale.updatedAt)),
    ).rejects.toBeInstanceOf(ConflictError);
    expect((await store.listAudit(roundId, 'liperi')).map((a) => a.action)).not.toContain(
      'decision-rejected',
    );
    expect((await store.getNomination(roundId, 'liperi'))?.status).toBe('awaiting_decision');
  });
});
