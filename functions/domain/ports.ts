/**
 * What the use cases need from the outside world. Adapters implement these on
 * DynamoDB, SES and Step Functions; tests hand in in-memory fakes.
 */

import type { MailAttachment, MailContent } from './mail-texts.ts';
import type { GroupState, Nomination, OfficialStep, Round, RoundStatus } from './types.ts';

export interface StoredRound {
  round: Round;
  /** SHA-256 of the canonical definition: starting the same file twice is a no-op. */
  definitionHash: string;
  status: RoundStatus;
  createdAt: string;
}

export type LinkStatus = 'open' | 'used' | 'superseded';

/** Where a link acts: the nomination and the step it answers. */
export type LinkTarget = Pick<Link, 'roundId' | 'municipalityId' | 'step'>;

/** A link an official received by mail. Only the hash of its token is stored. */
export interface Link {
  tokenHash: string;
  roundId: string;
  municipalityId: string;
  step: OfficialStep;
  /** The one person the link was sent to. */
  recipientEmail: string;
  recipientName: string;
  status: LinkStatus;
  createdAt: string;
  /** ISO time after which the link no longer acts. */
  expiresAt: string;
  usedAt?: string;
  /** The outbox purpose the link was mailed under (absent: the step's first request). */
  mailPurpose?: string;
  /** Random value embedded in the link's forms; a POST without it does nothing. */
  csrf?: string;
}

/** The open wait of a nomination's step: which Step Functions task to resume. Backend only. */
export interface StepWait {
  roundId: string;
  municipalityId: string;
  step: OfficialStep;
  taskToken: string;
  /** The step's current link; for the minute check, the first checker's (see `links`). */
  linkTokenHash: string;
  /**
   * The minute check only: each checker's current link (one per checker who has not yet
   * approved when the link was minted). Every other step has just `linkTokenHash`.
   */
  links?: CheckerLink[];
  /** The minute check only: the decision (its `decidedAt`) these links check. */
  forDecision?: string;
  openedAt: string;
  /** How many times the workflow has entered this step (1 = first request); re-entries mail a fresh link. */
  attempt?: number;
  /**
   * The callback output of a submit whose task had just timed out (the workflow was between
   * a reminder and its next wait): the next wait of this step delivers it at once.
   */
  pendingOutput?: StepOutput;
}

/** One minute checker's current link within the minute check's wait. */
export interface CheckerLink {
  email: string;
  name: string;
  tokenHash: string;
}

/** Every link a wait holds open: the minute check has one per checker. */
export function waitLinkHashes(wait: Pick<StepWait, 'linkTokenHash' | 'links'>): string[] {
  return wait.links ? wait.links.map((l) => l.tokenHash) : [wait.linkTokenHash];
}

/** What a link's submit hands back to the waiting workflow step. */
export interface StepOutput {
  step: OfficialStep;
  /** submitted | approved | returned | adopted | adopted_with_changes | tabled | rejected | checked */
  outcome: string;
}

/** Why an open of a link looks like a mail scanner's rather than the recipient's. */
export type ScannerSign = 'head' | 'user-agent' | 'no-user-agent' | 'soon-after-sending';

/** One GET (or HEAD) of a link that can still act: recorded, never acted on. */
export interface LinkOpenEvent {
  link: Pick<
    Link,
    'tokenHash' | 'roundId' | 'municipalityId' | 'step' | 'recipientName' | 'mailPurpose' | 'createdAt'
  >;
  at: string;
  /** Set when the open looks like a mail scanner's (domain/link-opens.ts). */
  suspected?: ScannerSign;
}

/** What is known of the opens of one link: one record per link, updated atomically. */
export interface LinkOpen {
  roundId: string;
  municipalityId: string;
  step: OfficialStep;
  recipientName: string;
  mailPurpose?: string;
  linkCreatedAt: string;
  firstOpenedAt: string;
  lastOpenedAt: string;
  /** Every open, scanner-like ones included. */
  openCount: number;
  /** The first open that did not look like a scanner's. */
  firstPersonOpenedAt?: string;
  /** Opens that looked like a scanner's, and the first one's sign. */
  suspectedCount?: number;
  suspectedSign?: ScannerSign;
}

export interface AuditEntry {
  roundId: string;
  municipalityId: string;
  at: string;
  actor: string;
  action: string;
  /** SHA-256 of the client address, never the address itself. */
  clientIpHash?: string;
  userAgent?: string;
  /** What else the action needs to be understood later, e.g. the comment of a return or the substitute's address. */
  detail?: string;
}

export interface NominationStore {
  /** Stores the round unless one with this id exists; returns what is stored now. */
  putRoundIfAbsent(round: StoredRound): Promise<{ stored: StoredRound; created: boolean }>;
  getRound(roundId: string): Promise<StoredRound | undefined>;
  /**
   * The round as its file defined it. A stored definition never changes (putRoundIfAbsent
   * keeps the first), so an adapter may keep it for the life of the process; only the
   * round's status is read fresh, through getRound.
   */
  getRoundDefinition(roundId: string): Promise<Round | undefined>;
  setRoundStatus(roundId: string, status: RoundStatus): Promise<void>;

  putNominationIfAbsent(nomination: Nomination): Promise<void>;
  getNomination(roundId: string, municipalityId: string): Promise<Nomination | undefined>;
  /**
   * Writes `next` only if the stored version is still `next.version - 1`; else ConflictError.
   * `audit`, the entry of the change, is written after it (with the search entries, in one
   * request where there are both); a conflict writes neither.
   */
  saveNomination(next: Nomination, audit?: AuditEntry): Promise<void>;
  listNominations(roundId: string): Promise<Nomination[]>;

  putGroupIfAbsent(group: GroupState): Promise<void>;
  getGroup(roundId: string, groupId: string): Promise<GroupState | undefined>;
  saveGroup(group: GroupState): Promise<void>;

  putLink(link: Link): Promise<void>;
  getLink(tokenHash: string): Promise<Link | undefined>;
  /** Open → used, exactly once; a second caller gets LinkNotUsableError('used'). */
  useLink(tokenHash: string, usedAt: string): Promise<Link>;
  /** Undo a claim whose effect could not be applied, so the official can try again. */
  reopenLink(tokenHash: string): Promise<void>;
  supersedeLink(tokenHash: string): Promise<void>;

  getWait(roundId: string, municipalityId: string, step: OfficialStep): Promise<StepWait | undefined>;
  putWait(wait: StepWait): Promise<void>;
  /**
   * A nomination and the wait of one of its steps, read together (what a link or a step wait
   * needs); with `openedLink` (a link's token hash) also that link's open record, in the same read.
   */
  getNominationAndWait(
    roundId: string,
    municipalityId: string,
    step: OfficialStep,
    openedLink?: string,
  ): Promise<{ nomination?: Nomination; wait?: StepWait; linkOpen?: LinkOpen }>;

  /**
   * A link (the first of `tokenHashes` that exists: one token's hashes under the current and
   * the previous pepper) read together with a nomination and its step's wait, for a submit
   * whose form says where its link acts; the caller checks that the link does act there.
   */
  getLinkNominationAndWait(
    tokenHashes: string[],
    roundId: string,
    municipalityId: string,
    step: OfficialStep,
  ): Promise<{ link?: Link; nomination?: Nomination; wait?: StepWait }>;

  addAudit(entry: AuditEntry): Promise<void>;
  listAudit(roundId: string, municipalityId: string): Promise<AuditEntry[]>;

  /** Counts one open of a link (first, last, how many; scanner-like ones apart) in one atomic update. */
  recordLinkOpen(event: LinkOpenEvent): Promise<void>;
}

export type { MailAttachment, MailContent };

/** Identifies one mail: sent at most once per (round, scope, purpose, recipient). */
export interface MailKey {
  roundId: string;
  /** Municipality id, or `group:<id>` / `round` for mails not tied to one municipality. */
  scope: string;
  purpose: string;
  recipient: string;
}

/**
 * What is known of one mail's delivery: `retrying` = not yet accepted by SES, to be retried;
 * `sent` = SES accepted it (locally, the last word);
 * on AWS the configuration set's events move it to `delivered`, `delayed`, `bounced` or
 * `complained`. `failed`: SES refused it for good (never sent; the organiser is told).
 */
export type DeliveryState =
  | 'sending'
  | 'retrying'
  | 'sent'
  | 'delayed'
  | 'delivered'
  | 'bounced'
  | 'complained'
  | 'failed';

/** The legal dates of a notice sent by e-mail (excerpts): stored with its outbox row. */
export interface NoticeDates {
  /** The day the recipient is deemed to have received the decision (YYYY-MM-DD). */
  deemedReceivedOn: string;
  /** The last day to request correction (YYYY-MM-DD). */
  correctionDeadline: string;
}

export interface OutboxRecord extends MailKey, Partial<NoticeDates> {
  /** `retrying`: SES could not take it yet (throttled, unreachable); the workflow's retry sends it. */
  status: 'sending' | 'retrying' | 'sent' | 'failed';
  subject: string;
  /** When the first attempt to send it began. */
  firstAttemptAt?: string;
  /** Attempts that SES did not take (throttled, unreachable, …), and the last one's error and time. */
  failedAttempts?: number;
  lastError?: string;
  lastErrorAt?: string;
  messageId?: string;
  sentAt?: string;
  deliveryState?: DeliveryState;
  /** When the delivery state last changed (the SES event's time). */
  deliveryAt?: string;
  /** Why it failed, bounced or was complained about (SES's reason; never an address). */
  deliveryDetail?: string;
}

/** A delivery event of one sent message, as the SES configuration set reports it. */
export interface DeliveryEvent {
  messageId: string;
  state: Extract<DeliveryState, 'delivered' | 'delayed' | 'bounced' | 'complained' | 'failed'>;
  at: string;
  detail?: string;
}

export interface Mailer {
  /**
   * Sends unless this key was already sent; never sends twice for one key. A permanent
   * refusal by SES (e.g. an invalid address) marks the row failed and returns 'failed';
   * a transient error releases the claim and is thrown, for the workflow to retry.
   */
  sendOnce(
    key: MailKey,
    content: MailContent,
    dates?: NoticeDates,
  ): Promise<'sent' | 'already-sent' | 'failed'>;
  /** Records a delivery event on the row of that message id; undefined when no row has it. */
  recordDelivery(event: DeliveryEvent): Promise<OutboxRecord | undefined>;
  /** Whether the mail for this key has gone out. */
  wasSent(key: MailKey): Promise<boolean>;
  listSent(roundId: string): Promise<OutboxRecord[]>;
}

/** Resumes the workflow waiting on a step. */
export interface WorkflowCallbacks {
  succeed(taskToken: string, output: unknown): Promise<void>;
  fail(taskToken: string, error: string, cause: string): Promise<void>;
}

export interface RoundStarter {
  /** Starts the round's execution, named after the round; a second start is a no-op. */
  start(roundId: string): Promise<{ executionArn: string }>;
}

export interface Clock {
  now(): Date;
}
