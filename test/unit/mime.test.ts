import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { buildMime, encodeWords } from '../../functions/adapters/mime.ts';

describe('the MIME builder, read back by an independent parser (mailparser)', () => {
  const message = {
    from: 'nimitys@pohjois-karjala.example',
    to: 'kirjaamo@siunsote.example',
    subject:
      'Ote: Liperin hyvinvointilautakunta 14.11.2023 § 87 – Edustajien nimeäminen alueellisiin kumppanuusryhmiin',
    text: 'PÖYTÄKIRJANOTE\nHyväksyttiin päätösehdotus.\nÄÖÅ äöå – §',
    html: '<p>Hyväksyttiin päätösehdotus.</p>',
    attachments: [
      {
        filename: 'pöytäkirjanote-liperi-§87.pdf',
        contentType: 'application/pdf',
        content: new Uint8Array([37, 80, 68, 70, 0, 255]),
      },
      {
        filename: 'kokoukset.ics',
        contentType: 'text/calendar; charset=UTF-8; method=PUBLISH',
        content: 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n',
      },
    ],
  };

  it('keeps subject, bodies and attachments with Finnish characters intact', async () => {
    const parsed = await simpleParser(Buffer.from(buildMime(message)));
    expect(parsed.subject).toBe(message.subject);
    expect(parsed.text?.trim()).toBe(message.text);
    expect(parsed.html).toContain('Hyväksyttiin päätösehdotus.');
    expect(parsed.attachments.map((a) => [a.filename, a.contentType, a.content.length])).toEqual([
      ['pöytäkirjanote-liperi-§87.pdf', 'application/pdf', 6],
      ['kokoukset.ics', 'text/calendar', 32],
    ]);
    expect([...(parsed.attachments[0]?.content ?? [])]).toEqual([37, 80, 68, 70, 0, 255]);
  });

  it('writes only 7-bit lines of at most 78 characters', () => {
    const raw = Buffer.from(buildMime(message)).toString('latin1');
    for (const line of raw.split('\r\n')) {
      expect(line.length).toBeLessThanOrEqual(78);
      expect(line).toMatch(/^[\x20-\x7e]*$/);
    }
  });

  it('lets no field inject a header: CR and LF in subject, addresses and file names become spaces', async () => {
    const raw = buildMime({
      ...message,
      to: 'kirjaamo@siunsote.example\r\nBcc: everyone@evil.example',
      subject: 'Ote\r\nBcc: everyone@evil.example',
      attachments: [
        { filename: 'a\r\nX-Evil: 1.pdf', contentType: 'application/pdf\r\nX-Evil: 1', content: 'x' },
      ],
    });
    const parsed = await simpleParser(Buffer.from(raw));
    expect(parsed.bcc).toBeUndefined();
    expect(parsed.headers.has('x-evil')).toBe(false);
    expect(parsed.subject).toBe('Ote Bcc: everyone@evil.example');
  });

  it('leaves ASCII subjects readable and encodes the rest as RFC 2047 words', () => {
    expect(encodeWords('Kokoonpano')).toBe('Kokoonpano');
    expect(encodeWords('Päätös')).toBe(`=?UTF-8?B?${Buffer.from('Päätös').toString('base64')}?=`);
  });
});
