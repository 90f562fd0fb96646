/** Reads mail back from aws-ses-v2-local's store, as the demo and the tests need it. */

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

interface StoredEmail {
  messageId: string;
  from: string;
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { html?: string; text?: string };
  attachments?: Array<{ filename?: string; contentType: string; content: string }>;
  at: number;
}

export class SesStore {
  constructor(private readonly baseUrl: string) {}

  async mailsSince(epochSeconds = 0): Promise<SesMail[]> {
    const response = await fetch(`${this.baseUrl}/store?since=${Math.floor(epochSeconds)}`);
    if (!response.ok) throw new Error(`SES store answered ${response.status}`);
    const { emails } = (await response.json()) as { emails: StoredEmail[] };
    return emails.map((email) => ({
      messageId: email.messageId,
      from: email.from,
      to: email.destination.to.join(', '),
      subject: email.subject,
      text: email.body.text ?? '',
      html: email.body.html ?? '',
      at: email.at,
      attachments: (email.attachments ?? []).map((a) => ({
        filename: a.filename,
        contentType: a.contentType,
        content: Buffer.from(a.content, 'base64'),
      })),
    }));
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
