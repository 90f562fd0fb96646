/**
 * Reads mail back from aws-ses-v2-local's store, as the demo and the tests need it; and
 * keeps that store on disk across restarts of the embedded stack (persistSesMail).
 */
import { closeSync, existsSync, ftruncateSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export interface SesMail {
  messageId: string;
  from: string;
  /** The one recipient (Nimitys sends one mail per recipient). */
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Epoch seconds when the SES API accepted it. */
  at: number;
  attachments: Array<{ filename?: string; contentType: string; content: Buffer }>;
}

/** A mail as aws-ses-v2-local keeps it (its /store answer, its in-process store). */
export interface StoredEmail {
  messageId: string;
  from: string;
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { html?: string; text?: string };
  attachments?: Array<{ filename?: string; contentType: string; content: string }>;
  at: number;
}

/** The emulator's mail as the tests read it; `withAttachments: false` leaves them undecoded (and out). */
export function toSesMail(email: StoredEmail, { withAttachments = true } = {}): SesMail {
  return {
    messageId: email.messageId,
    from: email.from,
    to: email.destination.to.join(', '),
    subject: email.subject,
    text: email.body.text ?? '',
    html: email.body.html ?? '',
    at: email.at,
    attachments: withAttachments
      ? (email.attachments ?? []).map((a) => ({
          filename: a.filename,
          contentType: a.contentType,
          content: Buffer.from(a.content, 'base64'),
        }))
      : [],
  };
}

export class SesStore {
  constructor(private readonly baseUrl: string) {}

  async mailsSince(epochSeconds = 0): Promise<SesMail[]> {
    const response = await fetch(`${this.baseUrl}/store?since=${Math.floor(epochSeconds)}`);
    if (!response.ok) throw new Error(`SES store answered ${response.status}`);
    const { emails } = (await response.json()) as { emails: StoredEmail[] };
    return emails.map((email) => toSesMail(email));
  }

  /**
   * The mail as the emulator rebuilds it (RFC 5322). Beware: it re-encodes attachments
   * twice; read attachments from mailsSince() instead.
   */
  async eml(messageId: string): Promise<Buffer> {
    const response = await fetch(`${this.baseUrl}/get-emlContent?messageId=${encodeURIComponent(messageId)}`);
    if (!response.ok) throw new Error(`SES store answered ${response.status}`);
    const { body } = (await response.json()) as { body: { data: number[] } };
    return Buffer.from(body.data);
  }

  async clear(): Promise<void> {
    await fetch(`${this.baseUrl}/clear-store`, { method: 'POST' });
  }
}

/** aws-ses-v2-local's in-memory store module; its routes call these through the exports object. */
interface SesLocalStoreModule {
  saveEmail(email: StoredEmail): void;
  clearStore(): void;
  getStoreReadonly(): { emails: StoredEmail[] };
}

let persisted: { close(): void } | undefined;

/**
 * Keeps every mail aws-ses-v2-local accepts in `file` (JSON lines), written before SES
 * answers the send, and loads what earlier runs kept into the emulator's memory: the
 * mail viewer and /store then show all mail across restarts, each once. POST
 * /clear-store empties the file too. One file per process; a second call replaces the
 * first. Returns how many mails were loaded, and `close` to stop writing.
 */
export function persistSesMail(file: string): { loaded: number; close(): void } {
  persisted?.close();
  const store = createRequire(import.meta.url)('aws-ses-v2-local/dist/store.js') as SesLocalStoreModule;
  mkdirSync(path.dirname(file), { recursive: true });
  let loaded = 0;
  if (existsSync(file)) {
    const lines = readFileSync(file, 'utf8').split('\n');
    for (const [i, line] of lines.entries()) {
      if (line.trim() === '') continue;
      try {
        store.getStoreReadonly().emails.push(JSON.parse(line) as StoredEmail);
        loaded++;
      } catch (error) {
        // Only the last line can be torn (a kill in the middle of a write).
        if (i < lines.length - 2) throw new Error(`${file}:${i + 1}: ${(error as Error).message}`);
      }
    }
  }
  const fd = openSync(file, 'a');
  const { saveEmail, clearStore } = store;
  store.saveEmail = (email) => {
    writeSync(fd, `${JSON.stringify(email)}\n`);
    saveEmail(email);
  };
  store.clearStore = () => {
    clearStore();
    ftruncateSync(fd, 0);
  };
  const handle = {
    close() {
      if (persisted !== handle) return;
      persisted = undefined;
      store.saveEmail = saveEmail;
      store.clearStore = clearStore;
      closeSync(fd);
    },
  };
  persisted = handle;
  return { loaded, close: () => handle.close() };
}
