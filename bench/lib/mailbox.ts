/**
 * The officials' mailboxes for the benchmarks: the mail aws-ses-v2-local has accepted, read
 * straight from its in-process store, each mail once, in arrival order.
 *
 * The benchmarks run the embedded stack in their own process, so there is no need to go
 * through the emulator's GET /store: that answers every mail since a second, attachments
 * included, as one JSON document (a national round fetched 270 MB that way in 62 polls,
 * about a tenth of the round's time spent by the benchmark's own driver). Attachments are
 * not decoded here; what officials act on is the text and its link.
 */
import { createRequire } from 'node:module';
import { type SesMail, type StoredEmail, toSesMail } from '../../local/ses-store.ts';

interface SesLocalStoreModule {
  getStoreReadonly(): { emails: StoredEmail[] };
}

const store = createRequire(import.meta.url)('aws-ses-v2-local/dist/store.js') as SesLocalStoreModule;
const toMail = (email: StoredEmail) => toSesMail(email, { withAttachments: false });

/** Reads new mail as it arrives; `next()` returns what came since the last call. */
export class Mailbox {
  private seen: number;

  /** Starts after the mail already in the store. */
  constructor() {
    this.seen = store.getStoreReadonly().emails.length;
  }

  next(): SesMail[] {
    const { emails } = store.getStoreReadonly();
    const fresh = emails.slice(this.seen).map(toMail);
    this.seen = emails.length;
    return fresh;
  }

  /** Every mail in the store (also those from before this mailbox). */
  static all(): SesMail[] {
    return store.getStoreReadonly().emails.map(toMail);
  }
}
