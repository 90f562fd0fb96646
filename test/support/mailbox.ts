/** An official's view of the embedded stack: mails in the local SES store, their links, the forms. */
import { type SesMail, SesStore } from '../../local/ses-store.ts';
import { until } from './rounds.ts';

export function createMailbox(urls: { ses: string; http: string }) {
  const ses = new SesStore(urls.ses);
  const linkPattern = new RegExp(`${urls.http}/l/[A-Za-z0-9_-]{43}`);
  return {
    ses,
    /** The first mail to `to` whose subject matches, waiting for it to arrive. */
    mailTo: (to: string, subject: RegExp) =>
      until(`a mail to ${to} matching ${subject}`, async () =>
        (await ses.mailsSince()).find((m) => m.to === to && subject.test(m.subject)),
      ),
    linkIn(mail: SesMail): string {
      const url = linkPattern.exec(mail.text)?.[0];
      if (!url) throw new Error(`No link in "${mail.subject}"`);
      return url;
    },
    /** Posts a link's form as a browser would: with the CSRF value of the page the link shows. */
    async postLink(url: string, fields: Record<string, string>): Promise<Response> {
      const page = await (await fetch(url)).text();
      const csrf = /name="csrf" value="([^"]*)"/.exec(page)?.[1] ?? '';
      return fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ csrf, ...fields }).toString(),
      });
    },
  };
}
