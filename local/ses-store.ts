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
}

interface StoredEmail {
  messageId: string;
  from: string;
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { html?: string; text?: string };
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
    }));
  }

  async clear(): Promise<void> {
    await fetch(`${this.baseUrl}/clear-store`, { method: 'POST' });
  }
}
