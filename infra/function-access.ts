/**
 * What each function may do, in one reviewable place: which table actions on which key
 * prefixes (an IAM `dynamodb:LeadingKeys` condition), whether it reads the link secret and
 * whether it resumes workflow tasks. NodeFunction refuses an entry that is not listed here,
 * so a new function cannot arrive with the old "read and write everything" grant.
 *
 * Key prefixes are those of functions/adapters/dynamo-store.ts `keys`:
 *   ROUND#   a round and everything under it (nominations, groups, waits, outbox, audit)
 *   LINK#    links by token hash
 *   MAILID#  SES message id → outbox row pointers (written after a send, read by delivery events)
 *   RATE#    per-client request windows of the link pages
 *   SEARCH#  the admin console's search entries (functions/adapters/dynamo-search.ts), written in
 *            batches (BatchWriteItem) whenever a round or a nomination is saved
 */

export type KeyPrefix = 'ROUND#' | 'LINK#' | 'MAILID#' | 'RATE#' | 'SEARCH#';

export interface FunctionAccess {
  /** GetItem, Query (and BatchGetItem) on items whose partition key starts with these. */
  read: KeyPrefix[];
  /**
   * PutItem and UpdateItem (conditional writes) on these; no DeleteItem, no Scan for anyone.
   * Writing ROUND# also writes the search entries (BatchWriteItem on SEARCH# only).
   */
  write: KeyPrefix[];
  /** Query the table's secondary indexes (the admin console's lists). */
  indexes?: boolean;
  /**
   * BatchGetItem: the admin console's search reads rounds in batches; a link page and a
   * step's wait read a nomination and its step's wait together (store.getNominationAndWait).
   */
  batchGet?: boolean;
  /** Mints or opens links: reads the link secret. */
  linkSecret?: boolean;
  /** Resumes a waiting workflow task (states:SendTaskSuccess). */
  taskCallbacks?: boolean;
}

/** Sending mail claims an outbox row (ROUND#) and writes the message-id pointer (MAILID#). */
const MAILS: KeyPrefix[] = ['ROUND#', 'MAILID#'];

export const FUNCTION_ACCESS: Record<string, FunctionAccess> = {
  'record-round.ts': { read: ['ROUND#'], write: ['ROUND#'] },
  'request-action.ts': {
    read: ['ROUND#', 'LINK#'],
    write: [...MAILS, 'LINK#'],
    batchGet: true,
    linkSecret: true,
    // A wait that already has the official's answer (pendingOutput) resumes its own task at once.
    taskCallbacks: true,
  },
  'plan-wait.ts': { read: ['ROUND#', 'LINK#'], write: [...MAILS, 'LINK#'], batchGet: true, linkSecret: true },
  'send-excerpts.ts': { read: ['ROUND#'], write: MAILS },
  'send-correction.ts': { read: ['ROUND#'], write: MAILS },
  'record-members.ts': { read: ['ROUND#'], write: MAILS },
  'record-outcome.ts': { read: ['ROUND#', 'LINK#'], write: [...MAILS, 'LINK#'] },
  'activate-group.ts': { read: ['ROUND#'], write: MAILS },
  'complete-round.ts': { read: ['ROUND#'], write: MAILS },
  'link-page.ts': {
    read: ['ROUND#', 'LINK#', 'RATE#'],
    write: [...MAILS, 'LINK#', 'RATE#'],
    batchGet: true,
    linkSecret: true,
    taskCallbacks: true,
  },
  'admin-api.ts': {
    read: ['ROUND#', 'LINK#', 'SEARCH#'],
    write: [...MAILS, 'LINK#'],
    indexes: true,
    batchGet: true,
    linkSecret: true,
  },
  // Stores the round (and its search entries) and the audit entry of who started it.
  'admin-start-round.ts': { read: ['ROUND#'], write: ['ROUND#'] },
  'record-mail-event.ts': { read: ['ROUND#', 'MAILID#'], write: MAILS },
  'public-notice.ts': { read: ['ROUND#'], write: [] },
};

export class UnlistedFunctionError extends Error {
  override readonly name = 'UnlistedFunctionError';
}

export function accessOf(entry: string): FunctionAccess {
  const access = FUNCTION_ACCESS[entry];
  if (!access) {
    throw new UnlistedFunctionError(
      `functions/${entry} has no entry in infra/function-access.ts: list the table prefixes it reads and writes`,
    );
  }
  return access;
}
