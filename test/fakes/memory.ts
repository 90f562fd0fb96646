/** In-memory fakes of the ports, with the same conditional-write semantics as the adapters. */

import { nextDeliveryState } from '../../functions/adapters/ses-mailer.ts';
import { ConflictError, LinkNotUsableError, NotFoundError } from '../../functions/domain/errors.ts';
import type {
  AuditEntry,
  DeliveryEvent,
  Link,
  LinkOpen,
  LinkOpenEvent,
  MailContent,
  Mailer,
  MailKey,
  NominationStore,
  NoticeDates,
  OutboxRecord,
  StepWait,
  StoredRound,
  WorkflowCallbacks,
} from '../../functions/domain/ports.ts';
import type { GroupState, Nomination, OfficialStep, RoundStatus } from '../../functions/domain/types.ts';
import type { Deps } from '../../functions/use-cases/deps.ts';

const copy = <T>(value: T): T => structuredClone(value);

export class MemoryStore implements NominationStore {
  rounds = new Map<string, StoredRound>();
  nominations = new Map<string, Nomination>();
  groups = new Map<string, GroupState>();
  links = new Map<string, Link>();
  waits = new Map<string, StepWait>();
  audit: AuditEntry[] = [];

  async putRoundIfAbsent(round: StoredRound) {
    const existing = this.rounds.get(round.round.id);
    if (existing) return { stored: copy(existing), created: false };
    this.rounds.set(round.round.id, copy(round));
    return { stored: copy(round), created: true };
  }
  async getRound(roundId: string) {
    const round = this.rounds.get(roundId);
    return round && copy(round);
  }
  async getRoundDefinition(roundId: string) {
    return (await this.getRound(roundId))?.round;
  }
  async setRoundStatus(roundId: string, status: RoundStatus) {
    const round = this.rounds.get(roundId);
    if (!round) throw new NotFoundError(roundId);
    round.status = status;
  }
  async putNominationIfAbsent(nomination: Nomination) {
    const key = `${nomination.roundId}/${nomination.municipalityId}`;
    if (!this.nominations.has(key)) this.nominations.set(key, copy(nomination));
  }
  async getNomination(roundId: string, municipalityId: string) {
    const nomination = this.nominations.get(`${roundId}/${municipalityId}`);
    return nomination && copy(nomination);
  }
  async saveNomination(next: Nomination, audit?: AuditEntry) {
    const key = `${next.roundId}/${next.municipalityId}`;
    if (this.nominations.get(key)?.version !== next.version - 1) throw new ConflictError(key);
    this.nominations.set(key, copy(next));
    if (audit) this.audit.push(copy(audit));
  }
  async listNominations(roundId: string) {
    return [...this.nominations.values()].filter((n) => n.roundId === roundId).map(copy);
  }
  async putGroupIfAbsent(group: GroupState) {
    const key = `${group.roundId}/${group.groupId}`;
    if (!this.groups.has(key)) this.groups.set(key, copy(group));
  }
  async getGroup(roundId: string, groupId: string) {
    const group = this.groups.get(`${roundId}/${groupId}`);
    return group && copy(group);
  }
  async saveGroup(group: GroupState) {
    this.groups.set(`${group.roundId}/${group.groupId}`, copy(group));
  }
  async putLink(link: Link) {
    if (this.links.has(link.tokenHash)) throw new ConflictError('collision');
    this.links.set(link.tokenHash, copy(link));
  }
  async getLink(tokenHash: string) {
    const link = this.links.get(tokenHash);
    return link && copy(link);
  }
  async useLink(tokenHash: string, usedAt: string) {
    const link = this.links.get(tokenHash);
    if (!link) throw new NotFoundError('link');
    if (link.status !== 'open')
      throw new LinkNotUsableError(link.status === 'superseded' ? 'superseded' : 'used', 'x');
    link.status = 'used';
    link.usedAt = usedAt;
    return copy(link);
  }
  async reopenLink(tokenHash: string) {
    const link = this.links.get(tokenHash);
    if (link?.status === 'used') {
      link.status = 'open';
      delete link.usedAt;
    }
  }
  async supersedeLink(tokenHash: string) {
    const link = this.links.get(tokenHash);
    if (link?.status === 'open') link.status = 'superseded';
  }
  async getWait(roundId: string, municipalityId: string, step: OfficialStep) {
    const wait = this.waits.get(`${roundId}/${municipalityId}/${step}`);
    return wait && copy(wait);
  }
  async getNominationAndWait(
    roundId: string,
    municipalityId: string,
    step: OfficialStep,
    openedLink?: string,
  ) {
    const linkOpen = openedLink === undefined ? undefined : this.opens.get(openedLink);
    return {
      nomination: await this.getNomination(roundId, municipalityId),
      wait: await this.getWait(roundId, municipalityId, step),
      linkOpen: linkOpen && copy(linkOpen),
    };
  }
  async getLinkNominationAndWait(
    tokenHashes: string[],
    roundId: string,
    municipalityId: string,
    step: OfficialStep,
  ) {
    // One read, as the DynamoDB adapter's: not through the other getters (tests count those).
    const link = tokenHashes.map((hash) => this.links.get(hash)).find((found) => found !== undefined);
    const nomination = this.nominations.get(`${roundId}/${municipalityId}`);
    const wait = this.waits.get(`${roundId}/${municipalityId}/${step}`);
    return { link: link && copy(link), nomination: nomination && copy(nomination), wait: wait && copy(wait) };
  }
  async putWait(wait: StepWait) {
    this.waits.set(`${wait.roundId}/${wait.municipalityId}/${wait.step}`, copy(wait));
  }
  async addAudit(entry: AuditEntry) {
    this.audit.push(copy(entry));
  }
  async listAudit(roundId: string, municipalityId: string) {
    return this.audit.filter((a) => a.roundId === roundId && a.municipalityId === municipalityId).map(copy);
  }
  /** Opens of links, by token hash, counted as the DynamoDB adapter counts them. */
  opens = new Map<string, LinkOpen>();
  async recordLinkOpen({ link, at, suspected }: LinkOpenEvent) {
    const was = this.opens.get(link.tokenHash);
    this.opens.set(link.tokenHash, {
      roundId: link.roundId,
      municipalityId: link.municipalityId,
      step: link.step,
      recipientName: link.recipientName,
      mailPurpose: link.mailPurpose,
      linkCreatedAt: link.createdAt,
      firstOpenedAt: was?.firstOpenedAt ?? at,
      lastOpenedAt: at,
      openCount: (was?.openCount ?? 0) + 1,
      firstPersonOpenedAt: was?.firstPersonOpenedAt ?? (suspected ? undefined : at),
      suspectedCount: (was?.suspectedCount ?? 0) + (suspected ? 1 : 0),
      suspectedSign: was?.suspectedSign ?? suspected,
    });
  }
}

export interface SentMail extends MailKey {
  content: MailContent;
}

export class MemoryMailer implements Mailer {
  sent: SentMail[] = [];
  /** The outbox rows, as SesMailer keeps them (status, message id, delivery state, dates). */
  records = new Map<string, OutboxRecord>();
  /** Addresses SES refuses for good (MessageRejected): their mails end 'failed'. */
  refuse = new Set<string>();
  now: () => Date = () => new Date();
  private keyOf = (key: MailKey) =>
    `${key.roundId}|${key.scope}|${key.purpose}|${key.recipient.toLowerCase()}`;

  async sendOnce(key: MailKey, content: MailContent, dates?: NoticeDates) {
    const existing = this.records.get(this.keyOf(key));
    if (existing) return existing.status === 'failed' ? ('failed' as const) : ('already-sent' as const);
    const at = this.now().toISOString();
    if (this.refuse.has(key.recipient.toLowerCase())) {
      const detail = 'MessageRejected: refused';
      const row = { ...key, ...dates, status: 'failed', subject: content.subject } as const;
      this.records.set(this.keyOf(key), {
        ...row,
        deliveryState: 'failed',
        deliveryAt: at,
        deliveryDetail: detail,
      });
      return 'failed' as const;
    }
    this.sent.push({ ...key, content });
    const messageId = `local-${this.sent.length}`;
    this.records.set(this.keyOf(key), {
      ...key,
      ...dates,
      status: 'sent',
      subject: content.subject,
      messageId,
      sentAt: at,
      deliveryState: 'sent',
      deliveryAt: at,
    });
    return 'sent' as const;
  }
  async recordDelivery(event: DeliveryEvent): Promise<OutboxRecord | undefined> {
    const row = [...this.records.values()].find((r) => r.messageId === event.messageId);
    if (!row) return undefined;
    if (nextDeliveryState(row.deliveryState, event.state) === event.state) {
      Object.assign(row, { deliveryState: event.state, deliveryAt: event.at, deliveryDetail: event.detail });
    }
    return copy(row);
  }
  async wasSent(key: MailKey) {
    return this.sent.some((m) => this.keyOf(m) === this.keyOf(key));
  }
  async listSent(roundId: string): Promise<OutboxRecord[]> {
    return [...this.records.values()].filter((r) => r.roundId === roundId).map(copy);
  }
  /** The link URL in the last mail to this recipient. */
  linkFor(recipient: string): string {
    const mail = this.sent.filter((m) => m.recipient === recipient).at(-1);
    const url = mail && /https?:\/\/\S+\/l\/[A-Za-z0-9_-]+/.exec(mail.content.text)?.[0];
    if (!url) throw new Error(`No link mailed to ${recipient}`);
    return url;
  }
}

export class MemoryCallbacks implements WorkflowCallbacks {
  succeeded: Array<{ taskToken: string; output: unknown }> = [];
  failed: Array<{ taskToken: string; error: string }> = [];
  async succeed(taskToken: string, output: unknown) {
    this.succeeded.push({ taskToken, output });
  }
  async fail(taskToken: string, error: string) {
    this.failed.push({ taskToken, error });
  }
}

/** The pepper of the in-memory deps' link hashes. */
export const TEST_LINK_SECRET = { current: 'test-pepper-0123456789abcdef0123456789abcdef' };

export function memoryDeps(now = new Date('2023-10-02T09:00:00Z')) {
  const clock = { current: now, now: () => clock.current };
  const deps = {
    store: new MemoryStore(),
    mailer: new MemoryMailer(),
    callbacks: new MemoryCallbacks(),
    clock,
    publicBaseUrl: 'https://nimitys.example',
    linkSecret: async () => TEST_LINK_SECRET,
  } satisfies Deps;
  return deps;
}
