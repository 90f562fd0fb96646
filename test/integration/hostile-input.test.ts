/**
 * Hostile and malformed input at every entry point of the embedded stack: officials'
 * link pages, the public notice, the admin console (sign-in, API, actions, round-file
 * upload), the HTTP bridge itself, the CLI and the SES event handler.
 *
 * One stack, one round whose municipalities wait at every step. Each case of the
 * catalogue must get its 4xx (never a 5xx), with the Finnish message at the field at
 * fault, no stack trace or other internals in the answer, and leave no trace: the
 * table's items, every execution's status and history length and the local SES store
 * are compared before and after. No case logs its attempt in the audit trail or counts a
 * link open (`logs: 'audit'` would allow exactly that); one, the same round file uploaded
 * again, may rewrite existing search-index items (`logs: 'search-index'`, see there).
 * Every other difference is a failure.
 *
 * Values that are hostile but legal (markup in names and texts, emoji, decomposed
 * letters, zero-width spaces, CR LF in a name, a spreadsheet formula) go through the
 * whole process once, and every page, mail, PDF and CSV they reach is checked.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context, SNSEvent } from 'aws-lambda';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { ADMINS_GROUP, csrfToken, issueSession, SESSION_SECONDS } from '../../functions/admin/auth.ts';
import { fieldId as adminFieldId } from '../../functions/admin/pages.ts';
import { escapeHtml } from '../../functions/domain/html.ts';
import { helsinkiDate } from '../../functions/domain/time.ts';
import { fieldId as linkFieldId } from '../../functions/http/pages.ts';
import { PROJECT_ROOT } from '../../infra/paths.ts';
import { createClients } from '../../local/client.ts';
import { LOCAL_TABLE_NAME } from '../../local/endpoints.ts';
import { nomineeFields } from '../../local/officials.ts';
import type { SesMail } from '../../local/ses-store.ts';
import { type EmbeddedStack, startEmbeddedStack } from '../../local/stack.ts';
import {
  checkerOf,
  HOSTILE_MUNICIPALITIES,
  type HostileMunicipality,
  hostileNominees,
  hostileRound,
  MARKUP,
  MARKUP_ESCAPED,
  ORGANISER_REGISTRY,
  plainNominees,
  preparerOf,
  presenterOf,
  secretaryOf,
} from '../support/hostile-round.ts';
import {
  differences,
  internalsIn,
  type RawAnswer,
  rawBytes,
  rawRequest,
  type StackSnapshot,
  snapshotStack,
} from '../support/hostile-stack.ts';
import { createMailbox } from '../support/mailbox.ts';
import { roundFile, until } from '../support/rounds.ts';

// Logs on: the suite reads them (no handler may reach its "failed" path) and the mail-event cases log.
vi.hoisted(() => {
  process.env.NIMITYS_LOG_LEVEL = 'info';
});

const ROUND_ID = `hostile-it-${Date.now().toString(36)}`;
const FORM = 'application/x-www-form-urlencoded';
const run = promisify(execFile);

/** What the cases need from the stack once it runs; filled in beforeAll. */
const ctx = {
  port: 0,
  base: '',
  /** Open links: each municipality's current step. */
  link: {
    proposal: '',
    approval: '',
    decision: '',
    expired: '',
    superseded: '',
    usedApproval: '',
    usedDecision: '',
    check: '',
    otherCheck: '',
  },
  csrf: { proposal: '', approval: '', decision: '', usedDecision: '', check: '', otherCheck: '' },
  admin: { session: '', csrf: '', otherSession: '', otherCsrf: '', viewer: '', secret: '', password: '' },
  tmp: '',
};

// ---------------------------------------------------------------------------------
// Requests

/** The path of a link URL, for raw requests. */
const pathOf = (url: string) => new URL(url).pathname;
const tokenOf = (url: string) => url.split('/l/')[1] ?? '';

function send(
  method: string,
  path: string,
  init: { headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<RawAnswer> {
  return rawRequest(ctx.port, path, { method, ...init });
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const postForm = (path: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
  send('POST', path, { headers: { 'content-type': FORM, ...headers }, body: form(fields) });

/** The proposal form as the odottaa preparer would post it, with `over` applied and `drop` left out. */
function proposal(over: Record<string, string> = {}, drop: string[] = []): Record<string, string> {
  const fields: Record<string, string> = {
    csrf: ctx.csrf.proposal,
    text: '',
    ...nomineeFields(plainNominees('odottaa')),
    ...over,
  };
  for (const name of drop) delete fields[name];
  return fields;
}
const postProposal = (over: Record<string, string> = {}, drop: string[] = []) =>
  postForm(pathOf(ctx.link.proposal), proposal(over, drop));
const postApproval = (fields: Record<string, string>) =>
  postForm(pathOf(ctx.link.approval), { csrf: ctx.csrf.approval, ...fields });
const today = () => helsinkiDate(new Date());
const postDecision = (fields: Record<string, string>) =>
  postForm(pathOf(ctx.link.decision), {
    csrf: ctx.csrf.decision,
    outcome: 'adopted',
    meetingDate: today(),
    section: '87',
    text: '',
    ...fields,
  });

const adminCookie = () => ({ cookie: `nimitys_admin=${ctx.admin.session}` });
const adminGet = (path: string, headers: Record<string, string> = adminCookie()) =>
  send('GET', path, { headers });
const adminAct = (
  municipality: string,
  action: string,
  fields: Record<string, string>,
  headers = adminCookie(),
) => postForm(`/admin/rounds/${ROUND_ID}/m/${municipality}/${action}`, fields, headers);
const confirmed = (fields: Record<string, string>) => ({ csrf: ctx.admin.csrf, confirm: 'yes', ...fields });

function multipart(
  parts: Array<{ name: string; filename?: string; content: string | Buffer }>,
  boundary = 'hostile-boundary-7d1',
): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const filename = part.filename === undefined ? '' : `; filename="${part.filename}"`;
    const type = part.filename === undefined ? '' : '\r\nContent-Type: text/yaml';
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"${filename}${type}\r\n\r\n`,
      ),
      Buffer.from(part.content),
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

/** A round-file upload with the session's CSRF value and the confirmation. */
function upload(file: string | Buffer, options: { filename?: string; fields?: Record<string, string> } = {}) {
  const fields = { csrf: ctx.admin.csrf, confirm: 'yes', ...options.fields };
  const body = multipart([
    ...Object.entries(fields).map(([name, content]) => ({ name, content })),
    { name: 'file', filename: options.filename ?? 'kierros.yaml', content: file },
  ]);
  return send('POST', '/admin/rounds/new', {
    headers: { ...adminCookie(), 'content-type': 'multipart/form-data; boundary=hostile-boundary-7d1' },
    body,
  });
}

/** A valid round file (a new id each time, dates from today) changed by `change`. */
function roundFileWith(change: (file: Record<string, unknown>) => void): string {
  const file = JSON.parse(JSON.stringify(roundFileObject())) as Record<string, unknown>;
  change(file);
  return JSON.stringify(file, null, 2);
}
let roundFileCounter = 0;
function roundFileObject(): Record<string, unknown> {
  roundFileCounter += 1;
  const round = hostileRound(`hostile-upload-${roundFileCounter}`);
  const text = roundFile(round);
  return parseYaml(text) as Record<string, unknown>;
}

type Municipalities = Array<Record<string, unknown> & { name: string; registryEmail: string }>;

// ---------------------------------------------------------------------------------
// The catalogue

interface HttpCase {
  entry: string;
  name: string;
  send: () => Promise<RawAnswer>;
  status: number;
  /** Finnish message as the page shows it (compared as text and as escaped HTML). */
  message?: string;
  /** The form or file field the message is attached to. */
  field?: string;
  /**
   * What the attempt may leave besides nothing: 'audit' rows or a counted link open (no case
   * needs it today); 'search-index', rewrites of existing search items (see its one case).
   */
  logs?: 'audit' | 'search-index';
}

/** The keys each kind of logged attempt may add or rewrite. */
const ALLOWED = { audit: /\|(AUDIT|OPENED)#/, 'search-index': /^SEARCH#/ } as const;
const LINK_NOT_FOUND = 'Linkki ei ole voimassa';
const OPEN_AGAIN = 'Avaa linkki uudelleen';
const UNSUPPORTED = 'Kentässä on merkkejä, joita ei voi tallentaa.';
const NOTICE_NOT_FOUND = 'Julkaisua ei löytynyt';
const CSRF_REFUSED = 'Lataa sivu uudelleen';
const long = (n: number, ch = 'a') => ch.repeat(n);

const linkCases: HttpCase[] = [
  // CSRF
  {
    entry: 'link',
    name: 'POST without the CSRF value',
    send: () => postProposal({}, ['csrf']),
    status: 403,
    message: OPEN_AGAIN,
  },
  {
    entry: 'link',
    name: 'forged CSRF value of the right length',
    send: () => postProposal({ csrf: 'A'.repeat(ctx.csrf.proposal.length) }),
    status: 403,
    message: OPEN_AGAIN,
  },
  {
    entry: 'link',
    name: 'CSRF value of another official’s link',
    send: () => postProposal({ csrf: ctx.csrf.approval }),
    status: 403,
    message: OPEN_AGAIN,
  },
  {
    entry: 'link',
    name: 'CSRF value in a header instead of the form',
    send: () =>
      send('POST', pathOf(ctx.link.proposal), {
        headers: { 'content-type': FORM, 'x-csrf-token': ctx.csrf.proposal },
        body: form(proposal({}, ['csrf'])),
      }),
    status: 403,
    message: OPEN_AGAIN,
  },
  {
    entry: 'link',
    name: 'the form as JSON (the CSRF value inside)',
    send: () =>
      send('POST', pathOf(ctx.link.proposal), {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(proposal()),
      }),
    status: 403,
    message: OPEN_AGAIN,
  },
  {
    entry: 'link',
    name: 'binary body',
    send: () =>
      send('POST', pathOf(ctx.link.proposal), {
        headers: { 'content-type': 'application/octet-stream' },
        body: Buffer.from([0, 255, 254, 0, 13, 10, 37, 0]),
      }),
    status: 403,
    message: OPEN_AGAIN,
  },
  // tokens: replayed, reused, tampered, expired, superseded
  {
    entry: 'link',
    name: 'replayed: a used link posted again with its own CSRF value',
    send: () =>
      postForm(pathOf(ctx.link.usedDecision), {
        csrf: ctx.csrf.usedDecision,
        outcome: 'rejected',
        meetingDate: today(),
        section: '88',
      }),
    status: 410,
    message: 'Tämä on jo tehty',
  },
  {
    entry: 'link',
    name: 'reused: a used link opened again',
    send: () => send('GET', pathOf(ctx.link.usedApproval)),
    status: 410,
    message: 'Tämä on jo tehty',
  },
  {
    entry: 'link',
    name: 'tampered token (last character changed)',
    send: () =>
      send(
        'GET',
        `/l/${tokenOf(ctx.link.proposal).slice(0, -1)}${tokenOf(ctx.link.proposal).endsWith('A') ? 'B' : 'A'}`,
      ),
    status: 404,
    message: LINK_NOT_FOUND,
  },
  {
    entry: 'link',
    name: 'tampered token posted with the page’s CSRF value',
    send: () =>
      postForm(
        `/l/${tokenOf(ctx.link.proposal).slice(0, -1)}${tokenOf(ctx.link.proposal).endsWith('A') ? 'B' : 'A'}`,
        proposal(),
      ),
    status: 404,
    message: LINK_NOT_FOUND,
  },
  {
    entry: 'link',
    name: 'token one character too long',
    send: () => send('GET', `/l/${tokenOf(ctx.link.proposal)}A`),
    status: 404,
    message: LINK_NOT_FOUND,
  },
  {
    entry: 'link',
    name: 'token of 5,000 characters',
    send: () => send('GET', `/l/${long(5000)}`),
    status: 404,
    message: LINK_NOT_FOUND,
  },
  {
    entry: 'link',
    name: 'NUL byte in the token',
    send: () =>
      send('GET', `/l/${tokenOf(ctx.link.proposal).slice(0, 20)}%00${tokenOf(ctx.link.proposal).slice(21)}`),
    status: 404,
    message: LINK_NOT_FOUND,
  },
  {
    entry: 'link',
    name: 'path traversal in the token (..%2F..%2Fetc%2Fpasswd)',
    send: () => send('GET', '/l/..%2F..%2Fetc%2Fpasswd'),
    status: 404,
    message: LINK_NOT_FOUND,
  },
  {
    entry: 'link',
    name: 'malformed percent-encoding in the token',
    send: () => send('GET', '/l/%E0%A4%A'),
    status: 404,
    message: LINK_NOT_FOUND,
  },
  {
    entry: 'link',
    name: 'a lone percent sign as the token',
    send: () => send('POST', '/l/%', { headers: { 'content-type': FORM }, body: 'csrf=x' }),
    status: 404,
    message: LINK_NOT_FOUND,
  },
  {
    entry: 'link',
    name: 'expired link (its deadline has passed)',
    send: () => send('GET', pathOf(ctx.link.expired)),
    status: 410,
    message: 'Määräaika on päättynyt',
  },
  {
    entry: 'link',
    name: 'expired link posted with a valid form',
    send: async () => {
      const page = await send('GET', pathOf(ctx.link.expired));
      return postForm(pathOf(ctx.link.expired), {
        ...proposal(),
        csrf: /name="csrf" value="([^"]*)"/.exec(page.body)?.[1] ?? '',
      });
    },
    status: 410,
    message: 'Määräaika on päättynyt',
  },
  {
    entry: 'link',
    name: 'superseded link (a new one was sent)',
    send: () => postForm(pathOf(ctx.link.superseded), proposal()),
    status: 410,
    message: 'Linkki on korvattu',
  },
  {
    entry: 'link',
    name: 'DELETE on a link',
    send: () => send('DELETE', pathOf(ctx.link.proposal)),
    status: 404,
    message: 'Not Found',
  },
  // sizes
  {
    entry: 'link',
    name: 'form body over 64 KB',
    send: () => postProposal({ text: long(70 * 1024) }),
    status: 413,
    message: 'Lomake on liian suuri',
  },
  {
    entry: 'link',
    name: 'body over the 1 MB request limit',
    send: () => postProposal({ text: long(1100 * 1024) }),
    status: 413,
    message: 'Request Entity Too Large',
  },
  {
    entry: 'link',
    name: 'name of 201 characters',
    send: () => postProposal({ 'nominees.0.name': `E${long(200, 'e')}` }),
    status: 422,
    message: 'Kirjoita enintään 200 merkkiä.',
    field: 'nominees.0.name',
  },
  {
    entry: 'link',
    name: 'päätösehdotus text of 5,001 characters',
    send: () => postProposal({ text: long(5001, 'x') }),
    status: 422,
    message: 'Kirjoita enintään 5000 merkkiä.',
    field: 'text',
  },
  // unicode
  {
    entry: 'link',
    name: 'NUL in a nominee’s name',
    send: () => postProposal({ 'nominees.0.name': 'Anna\u0000 Ehdokas' }),
    status: 422,
    message: UNSUPPORTED,
    field: 'nominees.0.name',
  },
  {
    entry: 'link',
    name: 'right-to-left override U+202E in a name (spoofing)',
    send: () => postProposal({ 'nominees.0.name': 'Anna \u202eskadhE' }),
    status: 422,
    message: UNSUPPORTED,
    field: 'nominees.0.name',
  },
  {
    entry: 'link',
    name: 'bidi isolate U+2067 in a title',
    send: () => postProposal({ 'nominees.0.title': '\u2067suunnittelija' }),
    status: 422,
    message: UNSUPPORTED,
    field: 'nominees.0.title',
  },
  {
    entry: 'link',
    name: 'C1 control U+0085 in an e-mail address',
    send: () => postProposal({ 'nominees.0.email': 'anna\u0085@odottaa.example' }),
    status: 422,
    message: UNSUPPORTED,
    field: 'nominees.0.email',
  },
  {
    entry: 'link',
    name: 'a name of zero-width spaces only',
    send: () => postProposal({ 'nominees.0.name': '\u200b\u200b\u2060\ufeff' }),
    status: 422,
    message: 'Kirjoita henkilön nimi.',
    field: 'nominees.0.name',
  },
  {
    entry: 'link',
    name: 'a name of emoji only',
    send: () => postProposal({ 'nominees.0.name': '😀 👨‍👩‍👧' }),
    status: 422,
    message: 'Nimessä pitää olla kirjaimia.',
    field: 'nominees.0.name',
  },
  {
    entry: 'link',
    name: 'a name of digits only',
    send: () => postProposal({ 'nominees.0.name': '12345' }),
    status: 422,
    message: 'Nimessä pitää olla kirjaimia.',
    field: 'nominees.0.name',
  },
  // header injection and markup
  {
    entry: 'link',
    name: 'CR LF and a Bcc header in an e-mail address',
    send: () => postProposal({ 'nominees.0.email': 'anna@odottaa.example\r\nBcc: victim@attacker.example' }),
    status: 422,
    message: 'Sähköpostiosoite ei ole kelvollinen.',
    field: 'nominees.0.email',
  },
  {
    entry: 'link',
    name: 'a display name and angle brackets in an e-mail address',
    send: () => postProposal({ 'nominees.0.email': 'Anna <anna@odottaa.example>' }),
    status: 422,
    message: 'Sähköpostiosoite ei ole kelvollinen.',
    field: 'nominees.0.email',
  },
  {
    entry: 'link',
    name: 'markup breaking out of an attribute, echoed back on a refused form',
    send: () => postProposal({ 'nominees.0.name': `"><script>alert(1)</script>`, 'nominees.0.title': '' }),
    status: 422,
    message: 'Kirjoita henkilön tehtävänimike.',
    field: 'nominees.0.title',
  },
  {
    entry: 'link',
    name: 'letters in a phone number',
    send: () => postProposal({ 'nominees.0.phone': '040 CALL ME' }),
    status: 422,
    message: 'Puhelinnumero ei ole kelvollinen.',
    field: 'nominees.0.phone',
  },
  // missing, extra, nested, duplicated
  {
    entry: 'link',
    name: 'no nominees at all',
    send: () => postProposal({}, Object.keys(nomineeFields(plainNominees('odottaa')))),
    status: 422,
    message: 'Ehdota vähintään 1 ja enintään 4 henkilöä.',
    field: 'nominees',
  },
  {
    entry: 'link',
    name: 'a row past the form’s four (nominees.7)',
    send: () =>
      postProposal({
        'nominees.7.name': 'Olli Ylimääräinen',
        'nominees.7.title': 'x',
        'nominees.7.email': 'olli@odottaa.example',
      }),
    status: 422,
    message: 'Ehdota vähintään 1 ja enintään 4 henkilöä.',
    field: 'nominees',
  },
  {
    entry: 'link',
    name: 'rows with negative or zero-padded indexes only',
    send: () =>
      postProposal(
        { 'nominees.-1.name': 'Miinus', 'nominees.01.name': 'Nolla' },
        Object.keys(nomineeFields(plainNominees('odottaa'))),
      ),
    status: 422,
    message: 'Ehdota vähintään 1 ja enintään 4 henkilöä.',
    field: 'nominees',
  },
  {
    entry: 'link',
    name: 'extra fields (__proto__, constructor, isAdmin) beside a missing title',
    send: () =>
      send('POST', pathOf(ctx.link.proposal), {
        headers: { 'content-type': FORM },
        body: `__proto__[isAdmin]=1&constructor=x&isAdmin=true&${form(proposal({ 'nominees.0.title': '' }))}`,
      }),
    status: 422,
    message: 'Kirjoita henkilön tehtävänimike.',
    field: 'nominees.0.title',
  },
  {
    entry: 'link',
    name: 'field names nested 500 deep beside a missing e-mail',
    send: () =>
      send('POST', pathOf(ctx.link.proposal), {
        headers: { 'content-type': FORM },
        body: `${encodeURIComponent(`nominees${'[0]'.repeat(500)}`)}=x&${form(proposal({ 'nominees.0.email': '' }))}`,
      }),
    status: 422,
    message: 'Kirjoita henkilön sähköpostiosoite.',
    field: 'nominees.0.email',
  },
  {
    entry: 'link',
    name: 'the same person twice',
    send: () =>
      postProposal({
        'nominees.1.name': 'Anna Ehdokas',
        'nominees.1.title': 'suunnittelija',
        'nominees.1.email': 'ANNA.EHDOKAS@odottaa.example',
      }),
    status: 422,
    message: 'Sama henkilö on ehdotettu kahdesti.',
    field: 'nominees.1.email',
  },
  // the presenter's approval
  {
    entry: 'link',
    name: 'approval: an unknown action',
    send: () => postApproval({ action: 'delete' }),
    status: 422,
    message: 'Toimintoa ei tunnistettu.',
    field: 'action',
  },
  {
    entry: 'link',
    name: 'approval: no action at all',
    send: () => postApproval({}),
    status: 422,
    message: 'Toimintoa ei tunnistettu.',
    field: 'action',
  },
  {
    entry: 'link',
    name: 'approval: return without a comment',
    send: () => postApproval({ action: 'return', comment: ' \r\n ' }),
    status: 422,
    message: 'Kirjoita, mitä ehdotuksessa pitää korjata.',
    field: 'comment',
  },
  {
    entry: 'link',
    name: 'approval: return comment of 2,001 characters',
    send: () => postApproval({ action: 'return', comment: long(2001, 'k') }),
    status: 422,
    message: 'Kirjoita enintään 2000 merkkiä.',
    field: 'comment',
  },
  {
    entry: 'link',
    name: 'approval: NUL in a return comment',
    send: () => postApproval({ action: 'return', comment: 'Korjaa\u0000 tämä' }),
    status: 422,
    message: UNSUPPORTED,
    field: 'comment',
  },
  {
    entry: 'link',
    name: 'hand-off: CR LF and a Bcc header in the substitute’s address',
    send: () =>
      postApproval({
        handoff: '1',
        substituteName: 'Sanni Sijainen',
        substituteEmail: 'sanni@hyvaksynta.example\r\nBcc: victim@attacker.example',
      }),
    status: 422,
    message: 'Sähköpostiosoite ei ole kelvollinen.',
    field: 'substituteEmail',
  },
  {
    entry: 'link',
    name: 'hand-off: markup in the substitute’s name',
    send: () =>
      postApproval({
        handoff: '1',
        substituteName: '<script>alert(1)</script>',
        substituteEmail: 'sanni@hyvaksynta.example',
      }),
    status: 422,
    message: 'Kirjoita nimi ilman erikoismerkkejä',
    field: 'substituteName',
  },
  {
    entry: 'link',
    name: 'hand-off to oneself',
    send: () =>
      postApproval({
        handoff: '1',
        substituteName: '',
        substituteEmail: presenterOf('hyvaksynta').toUpperCase(),
      }),
    status: 422,
    message: 'Sijainen ei voi olla sama henkilö',
    field: 'substituteEmail',
  },
  // a minute checker's approval
  {
    entry: 'link',
    name: 'minutes check: an unknown action',
    send: () => postForm(pathOf(ctx.link.check), { csrf: ctx.csrf.check, action: 'reject-all' }),
    status: 422,
    message: 'Toimintoa ei tunnistettu.',
    field: 'action',
  },
  {
    entry: 'link',
    name: 'minutes check: an objection without a comment',
    send: () => postForm(pathOf(ctx.link.check), { csrf: ctx.csrf.check, action: 'return', comment: '' }),
    status: 422,
    message: 'Kirjoita, mitä',
    field: 'comment',
  },
  {
    entry: 'link',
    name: 'minutes check: the other checker’s CSRF value',
    send: () => postForm(pathOf(ctx.link.check), { csrf: ctx.csrf.otherCheck, action: 'approve' }),
    status: 403,
    message: OPEN_AGAIN,
  },
  {
    entry: 'link',
    name: 'minutes check: a hand-off to an address with CR LF and a Bcc header',
    send: () =>
      postForm(pathOf(ctx.link.check), {
        csrf: ctx.csrf.check,
        handoff: '1',
        substituteName: 'Sanni Sijainen',
        substituteEmail: 'sanni@tarkastus.example\r\nBcc: victim@attacker.example',
      }),
    status: 422,
    message: 'Sähköpostiosoite ei ole kelvollinen.',
    field: 'substituteEmail',
  },
  // the secretary's decision
  {
    entry: 'link',
    name: 'decision: no outcome',
    send: () => postDecision({ outcome: '' }),
    status: 422,
    message: 'Valitse, miten asiassa päätettiin.',
    field: 'outcome',
  },
  {
    entry: 'link',
    name: 'decision: an outcome that is not one',
    send: () => postDecision({ outcome: "adopted'; DROP TABLE nimitys; --" }),
    status: 422,
    message: 'Valitse, miten asiassa päätettiin.',
    field: 'outcome',
  },
  {
    entry: 'link',
    name: 'decision: 31 February',
    send: () => postDecision({ meetingDate: '31.2.2024' }),
    status: 422,
    message: 'Kokouksen päivämäärä ei ole kelvollinen.',
    field: 'meetingDate',
  },
  {
    entry: 'link',
    name: 'decision: month 13 in an ISO date',
    send: () => postDecision({ meetingDate: '2024-13-01' }),
    status: 422,
    message: 'Kokouksen päivämäärä ei ole kelvollinen.',
    field: 'meetingDate',
  },
  {
    entry: 'link',
    name: 'decision: SQL in the section number',
    send: () => postDecision({ section: "87' OR '1'='1" }),
    status: 422,
    message: 'Pykälän numerossa voi olla vain numeroita',
    field: 'section',
  },
  {
    entry: 'link',
    name: 'decision: a section of 11 digits',
    send: () => postDecision({ section: '12345678901' }),
    status: 422,
    message: 'Pykälän numerossa voi olla vain numeroita',
    field: 'section',
  },
  {
    entry: 'link',
    name: 'decision: adopted with changes, the same nominees',
    send: () =>
      postDecision({
        outcome: 'adopted_with_changes',
        text: 'Muutettiin.',
        ...nomineeFields(plainNominees('paatos')),
      }),
    status: 422,
    message: 'Henkilöt ovat samat kuin päätösehdotuksessa.',
    field: 'nominees',
  },
  {
    entry: 'link',
    name: 'decision: adopted with changes, the text left as prefilled',
    send: () =>
      postDecision({
        outcome: 'adopted_with_changes',
        text: 'Hyväksyttiin päätösehdotus.',
        ...nomineeFields([{ name: 'Toinen Henkilö', title: 'asiantuntija', email: 'toinen@paatos.example' }]),
      }),
    status: 422,
    message: 'Kirjoita päätös: miten lautakunta muutti päätösehdotusta.',
    field: 'text',
  },
  {
    entry: 'link',
    name: 'decision: tabled to a meeting before this one',
    send: () => postDecision({ outcome: 'tabled', nextMeetingDate: '1.1.2020' }),
    status: 422,
    message: 'Seuraavan kokouksen päivän pitää olla tämän kokouksen jälkeen.',
    field: 'nextMeetingDate',
  },
  {
    entry: 'link',
    name: 'decision: right-to-left override in the diary number',
    send: () => postDecision({ diaryNumber: 'D/12/\u202e3202' }),
    status: 422,
    message: UNSUPPORTED,
    field: 'diaryNumber',
  },
  {
    entry: 'link',
    name: 'decision: returned without a comment',
    send: () => postDecision({ outcome: 'returned', comment: '' }),
    status: 422,
    message: 'Kirjoita, mitä ehdotuksessa pitää korjata.',
    field: 'comment',
  },
  {
    entry: 'link',
    name: 'decision: a decision text of 5,001 characters',
    send: () => postDecision({ text: long(5001, 'p') }),
    status: 422,
    message: 'Kirjoita enintään 5000 merkkiä.',
    field: 'text',
  },
];

const noticeCases: HttpCase[] = [
  {
    entry: 'public notice',
    name: '/paatos/../../etc/passwd as typed',
    send: () => send('GET', '/paatos/../../etc/passwd'),
    status: 404,
    message: 'Not Found',
  },
  {
    entry: 'public notice',
    name: '%2e%2e segments',
    send: () => send('GET', `/paatos/%2e%2e/%2e%2e/etc/passwd`),
    status: 404,
    message: 'Not Found',
  },
  {
    entry: 'public notice',
    name: 'traversal inside the municipality id (..%2F..%2Fetc%2Fpasswd)',
    send: () => send('GET', `/paatos/${ROUND_ID}/..%2F..%2Fetc%2Fpasswd`),
    status: 404,
    message: NOTICE_NOT_FOUND,
  },
  {
    entry: 'public notice',
    name: 'malformed percent-encoding in the round id',
    send: () => send('GET', '/paatos/%E0%A4%A/valmis'),
    status: 404,
    message: NOTICE_NOT_FOUND,
  },
  {
    entry: 'public notice',
    name: 'a round id of 3,000 characters',
    send: () => send('GET', `/paatos/${long(3000)}/valmis`),
    status: 404,
    message: NOTICE_NOT_FOUND,
  },
  {
    entry: 'public notice',
    name: 'upper-case ids',
    send: () => send('GET', `/paatos/${ROUND_ID.toUpperCase()}/VALMIS`),
    status: 404,
    message: NOTICE_NOT_FOUND,
  },
  {
    entry: 'public notice',
    name: 'NUL in the municipality id',
    send: () => send('GET', `/paatos/${ROUND_ID}/valmis%00`),
    status: 404,
    message: NOTICE_NOT_FOUND,
  },
  {
    entry: 'public notice',
    name: 'markup as the round id',
    send: () => send('GET', `/paatos/%3Cscript%3Ealert(1)%3C%2Fscript%3E/valmis`),
    status: 404,
    message: NOTICE_NOT_FOUND,
  },
  {
    entry: 'public notice',
    name: 'a municipality that has not decided',
    send: () => send('GET', `/paatos/${ROUND_ID}/odottaa`),
    status: 404,
    message: NOTICE_NOT_FOUND,
  },
  {
    entry: 'public notice',
    name: 'POST to the notice',
    send: () =>
      send('POST', `/paatos/${ROUND_ID}/valmis`, { headers: { 'content-type': FORM }, body: 'x=1' }),
    status: 404,
    message: 'Not Found',
  },
];

const session = (groups: string[], secret = ctx.admin.secret, now = new Date()) =>
  issueSession(secret, { id: 'admin', name: 'admin', groups }, now);
/** The session's payload with other claims, under the original signature. */
function withClaims(token: string, claims: Record<string, unknown>): string {
  const [payload, signature] = token.split('.');
  const original = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
  return `${Buffer.from(JSON.stringify({ ...original, ...claims })).toString('base64url')}.${signature}`;
}

const authCases: HttpCase[] = [
  {
    entry: 'admin API',
    name: 'no credential',
    send: () => adminGet('/admin/api/rounds', {}),
    status: 401,
    message: 'Unauthorized',
  },
  {
    entry: 'admin console',
    name: 'no credential on a page',
    send: () => adminGet(`/admin/rounds/${ROUND_ID}`, {}),
    status: 401,
    message: 'Kirjaudu ylläpitoon',
  },
  {
    entry: 'admin API',
    name: 'a session signed with another secret',
    send: () =>
      adminGet('/admin/api/rounds', { cookie: `nimitys_admin=${session([ADMINS_GROUP], 'forged-secret')}` }),
    status: 401,
    message: 'Unauthorized',
  },
  {
    entry: 'admin API',
    name: 'a non-admin session given the admins group, old signature',
    send: () =>
      adminGet('/admin/api/rounds', {
        cookie: `nimitys_admin=${withClaims(ctx.admin.viewer, { groups: [ADMINS_GROUP] })}`,
      }),
    status: 401,
    message: 'Unauthorized',
  },
  {
    entry: 'admin API',
    name: 'an expired session',
    send: () =>
      adminGet('/admin/api/rounds', {
        cookie: `nimitys_admin=${session([ADMINS_GROUP], ctx.admin.secret, new Date(Date.now() - (SESSION_SECONDS + 60) * 1000))}`,
      }),
    status: 401,
    message: 'Unauthorized',
  },
  {
    entry: 'admin API',
    name: 'an official’s link token as a bearer token',
    send: () => adminGet('/admin/api/rounds', { authorization: `Bearer ${tokenOf(ctx.link.proposal)}` }),
    status: 401,
    message: 'Unauthorized',
  },
  {
    entry: 'admin API',
    name: 'an official’s link token as the session cookie',
    send: () => adminGet('/admin/api/rounds', { cookie: `nimitys_admin=${tokenOf(ctx.link.proposal)}` }),
    status: 401,
    message: 'Unauthorized',
  },
  {
    entry: 'admin API',
    name: 'malformed percent-encoding in the cookie',
    send: () => adminGet('/admin/api/rounds', { cookie: 'nimitys_admin=%E0%A4%A' }),
    status: 401,
    message: 'Unauthorized',
  },
  {
    entry: 'admin API',
    name: 'a session token with extra parts',
    send: () => adminGet('/admin/api/rounds', { cookie: `nimitys_admin=${ctx.admin.session}.x.y` }),
    status: 401,
    message: 'Unauthorized',
  },
  {
    entry: 'admin API',
    name: 'the right password as HTTP Basic (only sessions count)',
    send: () =>
      adminGet('/admin/api/rounds', {
        authorization: `Basic ${Buffer.from(`admin:${ctx.admin.password}`).toString('base64')}`,
      }),
    status: 401,
    message: 'Unauthorized',
  },
  {
    entry: 'admin API',
    name: 'a signed-in non-admin',
    send: () => adminGet(`/admin/api/rounds/${ROUND_ID}`, { authorization: `Bearer ${ctx.admin.viewer}` }),
    status: 403,
    message: 'Forbidden',
  },
  {
    entry: 'admin console',
    name: 'a signed-in non-admin cancelling a nomination',
    send: () =>
      adminAct('odottaa', 'cancel', confirmed({ reason: 'testi' }), {
        cookie: `nimitys_admin=${ctx.admin.viewer}`,
      }),
    status: 403,
    message: 'Ei käyttöoikeutta',
  },
  {
    entry: 'admin sign-in',
    name: 'a wrong password',
    send: () => postForm('/admin/sign-in', { username: 'admin', password: 'wrong' }),
    status: 401,
    message: 'Käyttäjätunnus tai salasana on väärin.',
  },
  {
    entry: 'admin sign-in',
    name: 'CR LF and a Set-Cookie line in the user name',
    send: () =>
      postForm('/admin/sign-in', {
        username: 'admin\r\nSet-Cookie: nimitys_admin=x',
        password: ctx.admin.password,
      }),
    status: 401,
    message: 'Käyttäjätunnus tai salasana on väärin.',
  },
  {
    entry: 'admin sign-in',
    name: 'a password of 512 KB',
    send: () => postForm('/admin/sign-in', { username: 'admin', password: long(512 * 1024) }),
    status: 401,
    message: 'Käyttäjätunnus tai salasana on väärin.',
  },
  {
    entry: 'admin sign-in',
    name: 'no fields at all',
    send: () => postForm('/admin/sign-in', {}),
    status: 401,
    message: 'Käyttäjätunnus tai salasana on väärin.',
  },
];

const actionCases: HttpCase[] = [
  {
    entry: 'admin action',
    name: 'no CSRF token',
    send: () => adminAct('odottaa', 'extend', { confirm: 'yes', deadline: '2099-01-01' }),
    status: 403,
    message: CSRF_REFUSED,
  },
  {
    entry: 'admin action',
    name: 'a forged CSRF token',
    send: () =>
      adminAct('odottaa', 'cancel', {
        csrf: ctx.admin.csrf.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')),
        confirm: 'yes',
        reason: 'x',
      }),
    status: 403,
    message: CSRF_REFUSED,
  },
  {
    entry: 'admin action',
    name: 'a CSRF token replayed from another session',
    send: () => adminAct('odottaa', 'cancel', { csrf: ctx.admin.otherCsrf, confirm: 'yes', reason: 'x' }),
    status: 403,
    message: CSRF_REFUSED,
  },
  {
    entry: 'admin action',
    name: 'the CSRF token in a JSON body',
    send: () =>
      send('POST', `/admin/rounds/${ROUND_ID}/m/odottaa/cancel`, {
        headers: { ...adminCookie(), 'content-type': 'application/json' },
        body: JSON.stringify(confirmed({ reason: 'x' })),
      }),
    status: 403,
    message: CSRF_REFUSED,
  },
  {
    entry: 'admin action',
    name: 'no confirmation',
    send: () => adminAct('odottaa', 'cancel', { csrf: ctx.admin.csrf, reason: 'Syy' }),
    status: 422,
    message: 'Vahvista toiminto rastittamalla ruutu.',
    field: 'confirm',
  },
  {
    entry: 'admin action',
    name: 'extend: a word for a date',
    send: () => adminAct('odottaa', 'extend', confirmed({ deadline: 'huomenna' })),
    status: 422,
    message: 'Anna päivämäärä muodossa pp.kk.vvvv.',
    field: 'deadline',
  },
  {
    entry: 'admin action',
    name: 'extend: 30 February',
    send: () => adminAct('odottaa', 'extend', confirmed({ deadline: '30.2.2099' })),
    status: 422,
    message: 'Anna päivämäärä muodossa pp.kk.vvvv.',
    field: 'deadline',
  },
  {
    entry: 'admin action',
    name: 'extend: earlier than the current deadline',
    send: () => adminAct('odottaa', 'extend', confirmed({ deadline: '1.1.2020' })),
    status: 422,
    message: 'Uuden määräajan pitää olla myöhempi',
    field: 'deadline',
  },
  {
    entry: 'admin action',
    name: 'cancel: a reason of 501 characters',
    send: () => adminAct('odottaa', 'cancel', confirmed({ reason: long(501, 's') })),
    status: 422,
    message: 'Kirjoita syy enintään 500 merkillä.',
    field: 'reason',
  },
  {
    entry: 'admin action',
    name: 'cancel: a reason of white space only',
    send: () => adminAct('odottaa', 'cancel', confirmed({ reason: ' \t\r\n ' })),
    status: 422,
    message: 'Kirjoita perumisen syy.',
    field: 'reason',
  },
  {
    entry: 'admin action',
    name: 'resend: a path as the step',
    send: () => adminAct('odottaa', 'resend', confirmed({ step: '../../etc/passwd' })),
    status: 422,
    message: 'Valitse vaihe, jonka linkki lähetetään.',
    field: 'step',
  },
  {
    entry: 'admin action',
    name: 'retry: a nomination that has not failed',
    send: () => adminAct('odottaa', 'retry', confirmed({})),
    status: 409,
    message: 'Toimintoa ei voi enää tehdä',
  },
  {
    entry: 'admin action',
    name: 'corrected decision before the excerpts went out',
    send: () =>
      adminAct('paatos', 'correct', confirmed({ outcome: 'adopted', meetingDate: today(), section: '1' })),
    status: 409,
    message: 'Päätöstä voi oikaista vasta',
  },
  {
    entry: 'admin action',
    name: 'corrected decision: 31 February',
    send: () =>
      adminAct(
        'valmis',
        'correct',
        confirmed({ outcome: 'adopted', meetingDate: '31.2.2024', section: '87' }),
      ),
    status: 422,
    message: 'Kokouksen päivämäärä ei ole kelvollinen.',
    field: 'meetingDate',
  },
  {
    entry: 'admin action',
    name: 'corrected decision: NUL in the decision text',
    send: () =>
      adminAct(
        'valmis',
        'correct',
        confirmed({ outcome: 'adopted', meetingDate: today(), section: '87', text: 'Hyväksyttiin\u0000.' }),
      ),
    status: 422,
    message: UNSUPPORTED,
    field: 'text',
  },
  {
    entry: 'admin action',
    name: 'an action that does not exist',
    send: () => adminAct('odottaa', 'delete', confirmed({})),
    status: 404,
    message: 'Sivua ei löydy',
  },
  {
    entry: 'admin action',
    name: 'a municipality id with a path in it',
    send: () => adminAct('..%2F..%2Fetc%2Fpasswd', 'cancel', confirmed({ reason: 'x' })),
    status: 404,
    message: 'Sivua ei löydy',
  },
  {
    entry: 'admin action',
    name: 'a body over 1 MB',
    send: () => adminAct('odottaa', 'cancel', confirmed({ reason: long(1100 * 1024) })),
    status: 413,
  },
  {
    entry: 'admin API',
    name: 'a round id of 3,000 characters',
    send: () => adminGet(`/admin/api/rounds/${long(3000)}`),
    status: 404,
    message: 'Not Found',
  },
  {
    entry: 'admin console',
    name: 'a municipality id of 3,000 characters',
    send: () => adminGet(`/admin/rounds/${ROUND_ID}/m/${long(3000)}`),
    status: 404,
    message: 'Sivua ei löydy',
  },
  {
    entry: 'admin console',
    name: 'malformed percent-encoding in a round id',
    send: () => adminGet('/admin/rounds/%E0%A4%A'),
    status: 404,
    message: 'Sivua ei löydy',
  },
  {
    entry: 'admin console',
    name: 'a round id with slashes (%2F)',
    send: () => adminGet('/admin/rounds/..%2F..%2Fetc%2Fpasswd/export.csv'),
    status: 404,
    message: 'Sivua ei löydy',
  },
  {
    entry: 'admin console',
    name: 'the CSV export of a round that does not exist (nothing audited)',
    send: () => adminGet('/admin/rounds/ei-ole-olemassa/export.csv'),
    status: 404,
    message: 'Sivua ei löydy',
  },
  {
    entry: 'admin API',
    name: 'POST to the JSON API',
    send: () =>
      send('POST', '/admin/api/rounds', {
        headers: { ...adminCookie(), 'content-type': 'application/json' },
        body: '{"id":"x"}',
      }),
    status: 405,
    message: 'Method Not Allowed',
  },
];

const RTL_NAME = (file: Record<string, unknown>) => {
  const first = (file.municipalities as Municipalities)[0];
  if (first) first.name = 'Odottaa \u202ekiv';
};

const uploadCases: HttpCase[] = [
  {
    entry: 'round file',
    name: 'invalid YAML',
    send: () => upload('id: x\ntitle: "kesken\n  - [\n'),
    status: 422,
    message: 'Rivi',
    field: '(tiedosto)',
  },
  {
    entry: 'round file',
    name: 'invalid JSON',
    send: () => upload('{"id": "x",, }', { filename: 'kierros.json' }),
    status: 422,
    message: 'JSON-tiedoston rakenne on virheellinen',
    field: '(tiedosto)',
  },
  {
    entry: 'round file',
    name: 'a wrong type (seats.min as text)',
    send: () =>
      upload(
        roundFileWith((f) => {
          f.seats = { min: 'yksi', max: 4 };
        }),
      ),
    status: 422,
    message: 'Arvon pitää olla luku',
    field: 'seats.min',
  },
  {
    entry: 'round file',
    name: 'a required field missing (title)',
    send: () =>
      upload(
        roundFileWith((f) => {
          delete f.title;
        }),
      ),
    status: 422,
    message: 'Pakollinen tieto puuttuu',
    field: 'title',
  },
  {
    entry: 'round file',
    name: 'an unknown field',
    send: () =>
      upload(
        roundFileWith((f) => {
          f.deadlne = '2099-01-01';
        }),
      ),
    status: 422,
    message: 'Tuntematon kenttä "deadlne"; tarkoititko "deadline"?',
    field: 'deadlne',
  },
  {
    entry: 'round file',
    name: 'JSON nested 10,000 deep',
    send: () => upload(`{"id": ${'['.repeat(10_000)}${']'.repeat(10_000)}}`, { filename: 'syva.json' }),
    status: 422,
    message: 'Arvon pitää olla tekstiä, nyt se on luettelo',
    field: 'id',
  },
  {
    entry: 'round file',
    name: 'YAML nested 5,000 deep',
    send: () => upload(`id: ${'['.repeat(5000)}${']'.repeat(5000)}\n`),
    status: 422,
    message: 'liian monta sisäkkäistä tasoa',
    field: '(tiedosto)',
  },
  {
    entry: 'round file',
    name: 'an alias bomb (billion laughs)',
    send: () =>
      upload(
        [
          'a: &a ["x","x","x","x","x","x","x","x","x"]',
          ...'bcdefg'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdef'[i]}`).join(',')}]`),
        ].join('\n'),
      ),
    status: 422,
    message: 'viittauksia',
    field: '(tiedosto)',
  },
  {
    entry: 'round file',
    name: 'right-to-left override in a municipality name',
    send: () => upload(roundFileWith(RTL_NAME)),
    status: 422,
    message: 'suuntaa vaihtavia merkkejä',
    field: 'municipalities[0].name',
  },
  {
    entry: 'round file',
    name: 'NUL in the title',
    send: () =>
      upload(
        roundFileWith((f) => {
          f.title = 'Otsikko\u0000';
        }),
      ),
    status: 422,
    message: 'ohjausmerkkejä',
    field: 'title',
  },
  {
    entry: 'round file',
    name: 'CR LF and a Bcc line in the title (it reaches mail subjects)',
    send: () =>
      upload(
        roundFileWith((f) => {
          f.title = 'Otsikko\r\nBcc: victim@attacker.example';
        }),
      ),
    status: 422,
    message: 'ohjausmerkkejä',
    field: 'title',
  },
  {
    entry: 'round file',
    name: 'CR LF and a Bcc line in a registry address',
    send: () =>
      upload(
        roundFileWith((f) => {
          const first = (f.municipalities as Municipalities)[0];
          if (first) first.registryEmail = 'kirjaamo@odottaa.example\r\nBcc: victim@attacker.example';
        }),
      ),
    status: 422,
    message: 'Sähköpostiosoitteessa ei saa olla välilyöntejä',
    field: 'municipalities[0].registryEmail',
  },
  {
    entry: 'round file',
    name: 'a case text of 20,001 characters',
    send: () =>
      upload(
        roundFileWith((f) => {
          f.caseText = long(20_001, 'x');
        }),
      ),
    status: 422,
    message: 'Teksti on liian pitkä',
    field: 'caseText',
  },
  {
    entry: 'round file',
    name: 'a round id with slashes',
    send: () =>
      upload(
        roundFileWith((f) => {
          f.id = '../../etc/passwd';
        }),
      ),
    status: 422,
    message: 'Tunnuksessa saa olla vain',
    field: 'id',
  },
  {
    entry: 'round file',
    name: 'a list at the top level',
    send: () => upload('- id: x\n- id: y\n'),
    status: 422,
    message: 'ylimmän tason',
    field: '(tiedosto)',
  },
  {
    entry: 'round file',
    name: 'binary content',
    send: () => upload(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x0d, 0x0a, 0x1a, 0x00, 0xff, 0xfe])),
    status: 422,
    field: '(tiedosto)',
  },
  {
    entry: 'round file',
    name: 'markup in the file name, the file broken',
    send: () => upload('{', { filename: '<script>alert(1)</script>.yaml' }),
    status: 422,
    message: 'JSON-tiedoston rakenne on virheellinen',
    field: '(tiedosto)',
  },
  {
    entry: 'round file',
    name: 'no file',
    send: () =>
      send('POST', '/admin/rounds/new', {
        headers: { ...adminCookie(), 'content-type': 'multipart/form-data; boundary=hostile-boundary-7d1' },
        body: multipart([
          { name: 'csrf', content: ctx.admin.csrf },
          { name: 'confirm', content: 'yes' },
        ]),
      }),
    status: 422,
    message: 'Valitse ladattava kierrostiedosto.',
    field: 'file',
  },
  {
    entry: 'round file',
    name: 'the same minute checker twice',
    send: () =>
      upload(
        roundFileWith((f) => {
          const checked = (f.municipalities as Municipalities).find((m) => m.id === 'tarkastus');
          if (checked)
            checked.minuteCheckers = [
              { name: 'A Tarkastaja', email: 'a@x.example' },
              { name: 'B', email: 'A@x.example' },
            ];
        }),
      ),
    status: 422,
    message: 'on jo luettelossa',
    field: 'municipalities[6].minuteCheckers[1].email',
  },
  {
    entry: 'round file',
    name: 'the same id with other content',
    send: () =>
      upload(
        roundFileWith((f) => {
          f.id = ROUND_ID;
          f.title = 'Toinen otsikko';
        }),
      ),
    status: 409,
    message: 'on jo olemassa eri sisällöllä',
    field: 'id',
  },
  {
    entry: 'round file',
    name: 'the same file again (nothing new)',
    send: () =>
      upload(
        roundFileWith((f) => {
          f.id = ROUND_ID;
        }),
      ),
    status: 409,
    message: 'on jo aloitettu samalla kierrostiedostolla',
    field: 'file',
    // Found here: the refused start writes the round's search items again, and a term that is
    // both in a municipality's fields and in a nominee's name (the markup here) flips the item's
    // `field` attribute between 'municipality' and 'person'. Nothing reads `field`; reported.
    logs: 'search-index',
  },
  {
    entry: 'round file',
    name: 'a deadline already passed',
    send: () =>
      upload(
        roundFileWith((f) => {
          f.requestDate = '2020-01-01';
          f.deadline = '2020-02-01';
          f.startDate = '2020-03-01';
        }),
      ),
    status: 422,
    message: 'on jo päättynyt',
    field: 'deadline',
  },
  {
    entry: 'round file',
    name: 'no CSRF token',
    send: () =>
      upload(
        roundFileWith(() => undefined),
        { fields: { csrf: '' } },
      ),
    status: 403,
    message: CSRF_REFUSED,
  },
  {
    entry: 'round file',
    name: 'a file over 1 MB',
    send: () => upload(`# ${long(1100 * 1024)}\n`),
    status: 413,
  },
  {
    entry: 'round file',
    name: 'multipart without a boundary',
    send: () =>
      send('POST', '/admin/rounds/new', {
        headers: { ...adminCookie(), 'content-type': 'multipart/form-data' },
        body: 'csrf=x',
      }),
    status: 400,
    message: 'Virheellinen lomake',
  },
  {
    entry: 'round file',
    name: 'a multipart part without headers',
    send: () =>
      send('POST', '/admin/rounds/new', {
        headers: { ...adminCookie(), 'content-type': 'multipart/form-data; boundary=b' },
        body: '--b\r\nno headers here\r\n--b--\r\n',
      }),
    status: 400,
    message: 'Virheellinen lomake',
  },
];

const bridgeCases: HttpCase[] = [
  {
    entry: 'HTTP',
    name: 'a header block over 16 KB',
    send: () => send('GET', pathOf(ctx.link.proposal), { headers: { 'x-padding': long(20 * 1024) } }),
    status: 431,
  },
  {
    entry: 'HTTP',
    name: 'a Content-Length that is not a number',
    send: () =>
      rawBytes(
        ctx.port,
        `POST ${pathOf(ctx.link.proposal)} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: abc\r\n\r\ncsrf=x`,
      ),
    status: 400,
  },
  {
    entry: 'HTTP',
    name: 'both Content-Length and Transfer-Encoding (request smuggling)',
    send: () =>
      rawBytes(
        ctx.port,
        `POST ${pathOf(ctx.link.proposal)} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nPOST /admin/api/rounds HTTP/1.1\r\n\r\n`,
      ),
    status: 400,
  },
  {
    entry: 'HTTP',
    name: 'a bare CR inside a header value',
    send: () =>
      rawBytes(
        ctx.port,
        `GET ${pathOf(ctx.link.proposal)} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Injected: a\rSet-Cookie: x=1\r\n\r\n`,
      ),
    status: 400,
  },
];

const HTTP_CASES: HttpCase[] = [
  ...linkCases,
  ...noticeCases,
  ...authCases,
  ...actionCases,
  ...uploadCases,
  ...bridgeCases,
];

// ---------------------------------------------------------------------------------
// The CLI and the SES event handler: no HTTP status, the same "nothing moved"

interface CliCase {
  name: string;
  /** File content, written to a temporary file whose path becomes the argument. */
  file?: string;
  args: (file: string) => string[];
  message: string;
}

const CLI_CASES: CliCase[] = [
  {
    name: 'a file that does not exist',
    args: () => ['round', 'start', '/ei/ole/kierros.yaml'],
    message: 'Tiedostoa /ei/ole/kierros.yaml ei voi lukea',
  },
  { name: 'a folder instead of a file', args: () => ['round', 'start', tmpdir()], message: 'ei voi lukea' },
  {
    name: 'invalid YAML',
    file: 'id: x\ntitle: "kesken\n',
    args: (f) => ['round', 'start', f],
    message: '(tiedosto): Rivi',
  },
  {
    name: 'invalid YAML with --from-today',
    file: 'id: x\ntitle: "kesken\n',
    args: (f) => ['round', 'start', f, '--from-today'],
    message: '(tiedosto): Rivi',
  },
  {
    name: 'right-to-left override in a municipality name',
    file: roundFileWith(RTL_NAME),
    args: (f) => ['round', 'start', f],
    message: 'municipalities[0].name',
  },
  {
    name: '--from-today with a date that is no date',
    file: 'id: x\nrequestDate: huomenna\ndeadline: 2024-01-01\nstartDate: 2024-02-01\n',
    args: (f) => ['round', 'start', f, '--from-today'],
    message: 'requestDate: Päivämäärän muoto on VVVV-KK-PP',
  },
];

/** SNS deliveries of SES events, each malformed in its own way. */
function snsEvent(message: unknown, raw = false): SNSEvent {
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: 'arn:aws:sns:eu-north-1:000000000000:nimitys-mail-events:x',
        Sns: {
          Type: 'Notification',
          MessageId: 'sns-1',
          TopicArn: 'arn:aws:sns:eu-north-1:000000000000:nimitys-mail-events',
          Subject: '',
          Message: raw ? String(message) : JSON.stringify(message),
          Timestamp: new Date().toISOString(),
          SignatureVersion: '1',
          Signature: '',
          SigningCertUrl: '',
          UnsubscribeUrl: '',
          MessageAttributes: {},
        },
      },
    ],
  } as SNSEvent;
}

const EVENT_CASES: Array<{ name: string; event: () => unknown }> = [
  { name: 'a message that is not JSON', event: () => snsEvent('{"eventType": "Bounce", ', true) },
  { name: 'no Records', event: () => ({}) },
  { name: 'a record without its Sns part', event: () => ({ Records: [{ EventSource: 'aws:sns' }] }) },
  {
    name: 'a message id of 5,000 characters',
    event: () => snsEvent({ eventType: 'Bounce', mail: { messageId: long(5000, 'm') } }),
  },
  {
    name: 'a message id that is a path',
    event: () => snsEvent({ eventType: 'Delivery', mail: { messageId: '../../ROUND#x' } }),
  },
  {
    name: 'a message id that is not a string',
    event: () => snsEvent({ eventType: 'Delivery', mail: { messageId: { $ne: null } } }),
  },
  {
    name: 'an unknown message id',
    event: () => snsEvent({ eventType: 'Bounce', mail: { messageId: '0100018b-unknown-000000' } }),
  },
  {
    name: 'an event type the outbox ignores (Open), with markup',
    event: () => snsEvent({ eventType: 'Open', mail: { messageId: `<script>${MARKUP}` } }),
  },
];

// ---------------------------------------------------------------------------------

describe('hostile and malformed input on the embedded stack', () => {
  let stack: EmbeddedStack;
  let clients: ReturnType<typeof createClients>;
  let db: DynamoDBDocumentClient;
  let mailbox: ReturnType<typeof createMailbox>;
  let baseline: StackSnapshot;
  const logLines: string[] = [];
  const writes = { out: process.stdout.write, err: process.stderr.write };
  /** Every page the hostile-but-legal flow received, by what it was. */
  const pages = new Map<string, string>();

  const snapshot = () =>
    snapshotStack({
      db,
      tableName: LOCAL_TABLE_NAME,
      sfn: clients.sfn,
      stateMachineArns: [stack.stateMachineArns.round, stack.stateMachineArns.nomination],
      ses: mailbox.ses,
    });

  const open = async (url: string) => {
    const page = await send('GET', pathOf(url));
    return { ...page, csrf: /name="csrf" value="([^"]*)"/.exec(page.body)?.[1] ?? '' };
  };
  /** GET the page, then POST its form with the page's CSRF value, as a browser does. */
  const act = async (url: string, fields: Record<string, string>, label?: string) => {
    const page = await open(url);
    if (label) pages.set(`${label} (form)`, page.body);
    const answer = await postForm(pathOf(url), { csrf: page.csrf, ...fields });
    if (label) pages.set(`${label} (result)`, answer.body);
    expect(answer.status, `${label ?? url}: ${answer.body.slice(0, 300)}`).toBe(200);
    return { page, answer };
  };
  const linkOf = (mail: SesMail) => mailbox.linkIn(mail);
  const nthMail = (to: string, subject: RegExp, n = 1) =>
    until(`mail ${n} to ${to} matching ${subject}`, async () => {
      const found = (await mailbox.ses.mailsSince()).filter((m) => m.to === to && subject.test(m.subject));
      return found.length >= n ? found[n - 1] : undefined;
    });
  const status = (id: HostileMunicipality) =>
    until(`a nomination for ${id}`, () => clients.store.getNomination(ROUND_ID, id)).then((n) => n.status);
  const waitStatus = (id: HostileMunicipality, wanted: string) =>
    until(`${id} to be ${wanted}`, async () => ((await status(id)) === wanted ? true : undefined), 30_000);

  beforeAll(async () => {
    const capture = ((chunk: string | Uint8Array) => {
      logLines.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
    process.stdout.write = capture;
    process.stderr.write = capture;

    stack = await startEmbeddedStack({ ports: { dynamodb: 0, ses: 0, sfn: 0, http: 0 } });
    ctx.port = stack.ports.http;
    ctx.base = stack.urls.http;
    ctx.tmp = mkdtempSync(join(tmpdir(), 'nimitys-hostile-'));
    clients = createClients();
    db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
    mailbox = createMailbox(stack.urls);

    // The admin: the real sign-in, a second session (for a replayed CSRF token), a non-admin.
    ctx.admin.secret = stack.admin.credential.sessionSecret;
    ctx.admin.password = stack.admin.password ?? '';
    const signedIn = await postForm('/admin/sign-in', {
      username: stack.admin.credential.username,
      password: ctx.admin.password,
    });
    expect(signedIn.status).toBe(303);
    ctx.admin.session = /nimitys_admin=([^;]+)/.exec(String(signedIn.headers['set-cookie']))?.[1] ?? '';
    ctx.admin.csrf = csrfToken(ctx.admin.secret, ctx.admin.session);
    ctx.admin.otherSession = session([ADMINS_GROUP], ctx.admin.secret, new Date(Date.now() - 60_000));
    ctx.admin.otherCsrf = csrfToken(ctx.admin.secret, ctx.admin.otherSession);
    ctx.admin.viewer = session([]);

    await clients.startRound(roundFile(hostileRound(ROUND_ID)));
    const requests = Object.fromEntries(
      await Promise.all(
        HOSTILE_MUNICIPALITIES.map(
          async (id) => [id, linkOf(await nthMail(preparerOf(id), /^Pyyntö/))] as const,
        ),
      ),
    ) as Record<HostileMunicipality, string>;

    // odottaa waits for its proposal; hyvaksynta for its approval; paatos for its decision;
    // tarkastus for its two minute checkers.
    ctx.link.proposal = requests.odottaa;
    for (const id of ['hyvaksynta', 'paatos', 'tarkastus'] as const) {
      await act(requests[id], { text: '', ...nomineeFields(plainNominees(id)) });
    }
    ctx.link.approval = linkOf(await nthMail(presenterOf('hyvaksynta'), /^Hyväksyttävänä/));
    for (const id of ['paatos', 'tarkastus'] as const) {
      await act(linkOf(await nthMail(presenterOf(id), /^Hyväksyttävänä/)), { action: 'approve' });
    }
    ctx.link.decision = linkOf(await nthMail(secretaryOf('paatos'), /^Kirjattavana/));
    await act(linkOf(await nthMail(secretaryOf('tarkastus'), /^Kirjattavana/)), {
      outcome: 'adopted',
      meetingDate: today(),
      section: '12',
      text: '',
    });
    ctx.link.check = linkOf(await nthMail(checkerOf('tarkastus', 1), /^Tarkastettavana/));
    ctx.link.otherCheck = linkOf(await nthMail(checkerOf('tarkastus', 2), /^Tarkastettavana/));

    // valmis: hostile but legal values all the way to the excerpts, with a return on the way.
    const emoji = 'Ehdotamme 👍🏽 ja 👨‍👩‍👧 – ';
    const proposed = { text: `${emoji}${MARKUP}`, ...nomineeFields(hostileNominees()) };
    await act(requests.valmis, proposed, 'proposal');
    ctx.link.usedApproval = linkOf(await nthMail(presenterOf('valmis'), /^Hyväksyttävänä/));
    await act(
      ctx.link.usedApproval,
      { action: 'return', comment: `Lisää puhelinnumerot 📞 ${MARKUP}` },
      'approval',
    );
    await act(
      linkOf(await nthMail(preparerOf('valmis'), /^Palautettu valmisteluun/)),
      proposed,
      'returned proposal',
    );
    await act(linkOf(await nthMail(presenterOf('valmis'), /^Korjattu ehdotus/)), { action: 'approve' });
    ctx.link.usedDecision = linkOf(await nthMail(secretaryOf('valmis'), /^Kirjattavana/));
    const decisionPage = await open(ctx.link.usedDecision);
    ctx.csrf.usedDecision = decisionPage.csrf;
    await act(
      ctx.link.usedDecision,
      {
        outcome: 'adopted',
        meetingDate: today(),
        section: '87',
        text: `Hyväksyttiin päätösehdotus. ${MARKUP}`,
        diaryNumber: `D/1 ${MARKUP}`,
      },
      'decision',
    );
    await act(
      linkOf(await nthMail(checkerOf('valmis'), /^Tarkastettavana/)),
      { action: 'approve' },
      'minute check',
    );

    // korvattu: an admin resends its proposal link; the first one is superseded.
    ctx.link.superseded = requests.korvattu;
    const resent = await adminAct('korvattu', 'resend', confirmed({ step: 'proposal' }));
    expect(resent.status, resent.body.slice(0, 300)).toBe(303);
    await nthMail(preparerOf('korvattu'), /^Uusi linkki/);

    // vanhentunut: its deadline has passed (set in the table: time cannot be moved here).
    const old = await clients.store.getNomination(ROUND_ID, 'vanhentunut');
    if (!old) throw new Error('no vanhentunut nomination');
    await clients.store.saveNomination({ ...old, deadline: '2020-01-31', version: old.version + 1 });
    ctx.link.expired = requests.vanhentunut;

    for (const [key, url] of [
      ['proposal', ctx.link.proposal],
      ['approval', ctx.link.approval],
      ['decision', ctx.link.decision],
      ['check', ctx.link.check],
      ['otherCheck', ctx.link.otherCheck],
    ] as const) {
      const page = await open(url);
      expect(page.status, key).toBe(200);
      ctx.csrf[key] = page.csrf;
    }

    // Wait for the excerpts and the end of valmis' execution, then for the stack to be still.
    await nthMail(ORGANISER_REGISTRY, /^Ote:/);
    await until(
      'valmis’ execution to end',
      async () => {
        const out = await clients.sfn.send(
          new ListExecutionsCommand({ stateMachineArn: stack.stateMachineArns.nomination }),
        );
        const execution = out.executions?.find((e) => e.name === `${ROUND_ID}--valmis`);
        return execution && execution.status !== 'RUNNING' ? execution : undefined;
      },
      30_000,
    );
    await waitStatus('hyvaksynta', 'awaiting_approval');
    await waitStatus('paatos', 'awaiting_decision');
    await waitStatus('tarkastus', 'awaiting_minute_check');
    baseline = await until('the stack to be still', async () => {
      const first = await snapshot();
      await new Promise((resolve) => setTimeout(resolve, 500));
      const second = await snapshot();
      return differences(first, second).length === 0 ? second : undefined;
    });
  });

  afterAll(async () => {
    clients?.close();
    db?.destroy();
    await stack?.stop();
    if (ctx.tmp) rmSync(ctx.tmp, { recursive: true, force: true });
    process.stdout.write = writes.out;
    process.stderr.write = writes.err;
  });

  describe('the catalogue: every case a clear 4xx, nothing stored, nothing moved, no mail', () => {
    it('has at least 60 cases over every entry point', () => {
      expect(HTTP_CASES.length + CLI_CASES.length + EVENT_CASES.length).toBeGreaterThanOrEqual(60);
      expect(new Set(HTTP_CASES.map((c) => c.entry))).toEqual(
        new Set([
          'link',
          'public notice',
          'admin API',
          'admin console',
          'admin sign-in',
          'admin action',
          'round file',
          'HTTP',
        ]),
      );
      expect(new Set(HTTP_CASES.map((c) => `${c.entry}: ${c.name}`)).size).toBe(HTTP_CASES.length);
    });

    it.each(HTTP_CASES)('$entry: $name', async (c) => {
      // act
      const answer = await c.send();
      const after = await snapshot();
      const changed = differences(baseline, after, { allow: c.logs && ALLOWED[c.logs] });
      baseline = after;

      // assess: a 4xx with the message at the field, nothing internal, no markup
      // The page's own words, not its head and style sheet.
      const start = Math.max(0, answer.body.indexOf('<main'));
      const excerpt = answer.body.slice(start, start + 1500);
      expect(answer.status, excerpt).toBe(c.status);
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
      expect(internalsIn(answer.body)).toEqual([]);
      expect(answer.body).not.toMatch(/<script|<img src=x/i);
      if (c.message) {
        const shown = answer.body.includes(c.message) || answer.body.includes(escapeHtml(c.message));
        expect(shown, `"${c.message}" in ${excerpt}`).toBe(true);
      }
      if (c.field) expect(answer.body).toMatch(fieldPattern(c));
      // assess: nothing stored, no workflow moved, no mail sent
      expect(changed).toEqual([]);
    });

    it.each(CLI_CASES)('CLI: $name', async (c) => {
      // prepare
      const path = join(ctx.tmp, `kierros-${CLI_CASES.indexOf(c)}.yaml`);
      if (c.file !== undefined) writeFileSync(path, c.file);
      // act
      const result = await run(process.execPath, ['--import', 'tsx', 'local/cli.ts', ...c.args(path)], {
        cwd: PROJECT_ROOT,
        env: { ...process.env, NIMITYS_TARGET: 'local' },
      }).then(
        () => ({ code: 0, output: '' }),
        (error: { code: number; stdout: string; stderr: string }) => ({
          code: error.code,
          output: `${error.stdout}${error.stderr}`,
        }),
      );
      const after = await snapshot();
      const changed = differences(baseline, after);
      baseline = after;
      // assess
      expect(result.code, result.output).toBe(1);
      expect(result.output).toContain(c.message);
      expect(internalsIn(result.output)).toEqual([]);
      expect(changed).toEqual([]);
    });

    it.each(EVENT_CASES)('SES event: $name', async (c) => {
      // prepare: the handler reads its settings from the environment the stack set
      const { handler } = await import('../../functions/record-mail-event.ts');
      const before = logLines.length;
      // act: SNS would redeliver a message whose handler throws, for ever for a malformed one
      const settled = await handler(c.event() as SNSEvent, {} as Context).then(
        () => 'resolved',
        (error: Error) => `${error.name}: ${error.message}`,
      );
      const after = await snapshot();
      const changed = differences(baseline, after);
      baseline = after;
      // assess: handled and logged, without the message's content; nothing stored
      expect(settled).toBe('resolved');
      const logged = logLines.slice(before).join('');
      expect(logged).toMatch(/"message":"mail event/);
      expect(logged).not.toContain('<script');
      expect(changed).toEqual([]);
    });

    it('never reached a handler’s failure path', () => {
      const failures = logLines.filter((l) => /"level":"error"/.test(l));
      expect(failures).toEqual([]);
    });
  });

  describe('hostile but legal values: stored as meant, escaped wherever they are shown', () => {
    it('stores names in NFC, neutralises zero-width spaces, one-lines CR LF and keeps emoji intact', async () => {
      const valmis = await clients.store.getNomination(ROUND_ID, 'valmis');
      const names = valmis?.decision?.nominees.map((p) => p.name) ?? [];
      expect(names).toContain('Reetta Elomäki');
      expect(names.every((n) => n === n.normalize('NFC') && !/[\r\n\u200b\u2060\ufeff]/.test(n))).toBe(true);
      expect(names).toContain('Sami Bcc: victim@attacker.example Kuikka');
      expect(names).toContain(`Eeva ${MARKUP}`);
      expect(valmis?.proposal?.text).toBe(`Ehdotamme 👍🏽 ja 👨‍👩‍👧 – ${MARKUP}`);
      expect(valmis?.returned?.comment).toBe(`Lisää puhelinnumerot 📞 ${MARKUP}`);
      expect(valmis?.decision?.diaryNumber).toBe(`D/1 ${MARKUP}`);
    });

    it('escapes every field in the officials’ pages, the public notice and the console', async () => {
      // prepare: the pages the flow saw, and the pages that show the decided nomination now
      const notice = await send('GET', `/paatos/${ROUND_ID}/valmis`);
      expect(notice.status).toBe(200);
      pages.set('public notice', notice.body);
      pages.set('used link (410)', (await send('GET', pathOf(ctx.link.usedDecision))).body);
      pages.set('console: nomination', (await adminGet(`/admin/rounds/${ROUND_ID}/m/valmis`)).body);
      pages.set('console: round', (await adminGet(`/admin/rounds/${ROUND_ID}`)).body);
      const odd = await adminGet(`/admin/rounds/${ROUND_ID}?done=constructor`);
      expect(odd.status).toBe(200);
      expect(odd.body).not.toMatch(/native code|\[object Object\]/);
      const search = await adminGet(
        `/admin/rounds/${ROUND_ID}?q=${encodeURIComponent(MARKUP)}&status=%3Cb%3E`,
      );
      expect(search.status).toBe(200);
      pages.set('console: search for markup', search.body);

      // assess: markup is text everywhere, and it is there (so the check is not vacuous)
      for (const [name, body] of pages) {
        expect(body, name).not.toMatch(/<script|<img src=x/i);
        expect(body.includes(MARKUP_ESCAPED), `${name} shows the markup as text`).toBe(true);
      }
      expect(notice.body).toContain(escapeHtml(`Eeva ${MARKUP}`));
      expect(notice.body).toContain(escapeHtml(`Hyväksyttiin päätösehdotus. ${MARKUP}`));
      expect(pages.get('decision (form)')).toContain(escapeHtml(`koordinaattori ${MARKUP}`));
    });

    it('escapes them in every mail’s HTML, keeps them as text in the plain part, and no name becomes a header', async () => {
      const mails = (await mailbox.ses.mailsSince()).filter((m) =>
        /@(valmis|hyvinvointialue)\.example$/.test(m.to),
      );
      expect(mails.length).toBeGreaterThanOrEqual(8);
      for (const mail of mails) {
        expect(mail.html, mail.subject).not.toMatch(/<script|<img src=x/i);
        expect(mail.subject).not.toMatch(/[\r\n]/);
      }
      const excerpt = mails.find((m) => m.to === ORGANISER_REGISTRY && /^Ote:/.test(m.subject));
      expect(excerpt?.text).toContain(`Eeva ${MARKUP}`);
      expect(excerpt?.html).toContain(escapeHtml(`Eeva ${MARKUP}`));
      expect(excerpt?.html).toContain(escapeHtml(`D/1 ${MARKUP}`));
      const returned = mails.find((m) => /^Palautettu valmisteluun/.test(m.subject));
      expect(returned?.text).toContain(`Lisää puhelinnumerot 📞 ${MARKUP}`);
      expect(returned?.html).toContain(escapeHtml(`Lisää puhelinnumerot 📞 ${MARKUP}`));

      // Every header of every raw message: one recipient, no Bcc, nothing from a name.
      for (const mail of mails) {
        const parsed = await simpleParser(await mailbox.ses.eml(mail.messageId));
        expect(
          [...parsed.headers.keys()].filter((h) => /^(bcc|cc|set-cookie)$/i.test(h)),
          mail.subject,
        ).toEqual([]);
        const to = Array.isArray(parsed.to) ? parsed.to : [parsed.to];
        expect(to.flatMap((t) => t?.value.map((v) => v.address) ?? [])).toEqual([mail.to]);
      }
      expect(mails.some((m) => m.to === 'victim@attacker.example')).toBe(false);
      expect((await mailbox.ses.mailsSince()).some((m) => /attacker/.test(m.to))).toBe(false);
    });

    it('writes them into the excerpt PDF as plain text', async () => {
      const excerpt = await nthMail(ORGANISER_REGISTRY, /^Ote:/);
      const pdf = excerpt.attachments.find((a) => a.contentType === 'application/pdf');
      expect(pdf).toBeDefined();
      const path = join(ctx.tmp, 'ote.pdf');
      writeFileSync(path, pdf?.content ?? Buffer.alloc(0));
      const { stdout } = await run('pdftotext', ['-enc', 'UTF-8', path, '-']);
      const text = stdout.replace(/\s+/g, '');
      const squeeze = (s: string) => s.replace(/\s+/g, '');
      expect(text).toContain(squeeze(`Eeva ${MARKUP}`));
      expect(text).toContain(squeeze(`Hyväksyttiin päätösehdotus. ${MARKUP}`));
      expect(text).toContain(squeeze(`D/1 ${MARKUP}`));
      expect(text).toContain(squeeze('SamiBcc:victim@attacker.exampleKuikka'));
      expect(text).toContain('ReettaElomäki');
    });

    it('exports a formula in a name as text, not as a formula', async () => {
      const csv = await adminGet(`/admin/rounds/${ROUND_ID}/export.csv`);
      expect(csv.status).toBe(200);
      const row = csv.body.split('\r\n').find((l) => l.includes('kaija@valmis.example')) ?? '';
      const cells = row.split(';');
      expect(cells.some((cell) => /^"?'=HYPERLINK/.test(cell))).toBe(true);
      expect(cells.some((cell) => /^"?=/.test(cell))).toBe(false);
    });
  });
});

/** Where a page says which field is wrong: the link pages' and the console's error summaries. */
function fieldPattern(c: HttpCase): RegExp {
  const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const admin = c.entry.startsWith('admin') || c.entry === 'round file';
  const anchor = admin ? adminFieldId(c.field ?? '') : linkFieldId(c.field ?? '');
  const label = admin ? `${escapeRegExp(escapeHtml(c.field ?? ''))}: ` : '';
  return new RegExp(
    `href="#${escapeRegExp(anchor)}">${label}[^<]*${escapeRegExp(escapeHtml(c.message ?? ''))}`,
  );
}
