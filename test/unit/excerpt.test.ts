/** The excerpt as a legal document: its content, its PDF (read back by pdftotext) and its MIME (read by mailparser). */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { rawMime } from '../../functions/adapters/ses-mailer.ts';
import { ValidationError } from '../../functions/domain/errors.ts';
import { excerptDocument, excerptMail, excerptText } from '../../functions/domain/excerpt.ts';
import { excerptPdf } from '../../functions/domain/excerpt-pdf.ts';
import { parseDecisionForm } from '../../functions/domain/forms.ts';
import {
  GROUP_NAME,
  liperiDecision,
  liperiMunicipality,
  liperiProposal,
  liperiRound,
} from '../fixtures/liperi.ts';

function liperi() {
  const municipality = liperiMunicipality();
  municipality.postalAddress = 'Keskustie 10, 83100 Liperi';
  municipality.body.secretaryName = 'Sari Esimerkki';
  municipality.body.secretaryTitle = 'hallintosihteeri';
  const decision = liperiDecision();
  decision.diaryNumber = 'LIP/123/00.04.01/2023';
  return { round: liperiRound(), municipality, proposal: liperiProposal(), decision, sentOn: '2023-11-21' };
}

/** The PDF's text as Debian's pdftotext reads it. */
function pdfToText(pdf: Uint8Array, name: string): string {
  mkdirSync('test-results', { recursive: true });
  const path = `test-results/${name}.pdf`;
  writeFileSync(path, pdf);
  return execFileSync('pdftotext', ['-enc', 'UTF-8', path, '-'], { encoding: 'utf8' });
}

describe('the content of the excerpt', () => {
  it('names the diary number, the appeal instructions with both dates, and the certifier', () => {
    // prepare
    const input = liperi();
    // act
    const lines = excerptText(input);
    // assess
    expect(lines).toContain('Asianumero  LIP/123/00.04.01/2023');
    expect(lines).toContain('OIKAISUVAATIMUSOHJE');
    const text = lines.join('\n');
    expect(text).toContain('14 päivän kuluessa päätöksen tiedoksisaannista');
    expect(text).toContain('kolmantena päivänä sähköpostiviestin lähettämisestä');
    expect(text).toContain('seitsemäntenä päivänä kirjeen lähettämisestä');
    expect(text).toContain('Vastaanottajan katsotaan saaneen päätöksestä tiedon 24.11.2023');
    expect(text).toContain('Oikaisuvaatimuksen viimeinen jättöpäivä on 8.12.2023');
    expect(text).toContain(
      'Oikaisuvaatimusviranomainen  Liperin hyvinvointilautakunta\nPostiosoite: Keskustie 10, 83100 Liperi',
    );
    expect(text).toContain('asianosainen');
    expect(text).toContain('kunnan jäsen');
    expect(text).toContain('Otteen oikeaksi todistaa  Liperi 21.11.2023\nSari Esimerkki\nhallintosihteeri');
  });

  it('falls back to the secretary’s role when the round names no secretary', () => {
    const input = liperi();
    delete input.municipality.body.secretaryName;
    delete input.municipality.body.secretaryTitle;
    expect(excerptText(input).join('\n')).toContain('Liperi 21.11.2023\nHyvinvointilautakunnan sihteeri');
  });

  it('marks a corrected excerpt as such, in the heading, the text and the subject', () => {
    // prepare
    const input = { ...liperi(), sentOn: '2023-11-28', correctionOf: { previousSentOn: '2023-11-21' } };
    // act
    const doc = excerptDocument(input);
    const mail = excerptMail({ ...input, groupName: GROUP_NAME, copy: true });
    // assess
    expect(doc.heading).toBe('OIKAISTU PÖYTÄKIRJANOTE');
    expect(doc.correctionNote).toContain('korvaa 21.11.2023 lähetetyn otteen');
    expect(mail.subject.startsWith('Oikaistu Tiedoksi: ')).toBe(true);
    expect(mail.text).toContain('Tiedoksi: oikaistu pöytäkirjanote');
  });
});

describe('the excerpt as PDF', () => {
  it('is one A4 text layer that pdftotext reads back with the minute’s content, ä, ö, å, § and – intact', async () => {
    // prepare
    const input = liperi();
    // act
    const pdf = await excerptPdf(excerptDocument(input));
    const text = pdfToText(pdf, 'liperi-excerpt-unit');
    // assess
    expect(Buffer.from(pdf.slice(0, 5)).toString('latin1')).toBe('%PDF-');
    expect(execFileSync('pdfinfo', ['test-results/liperi-excerpt-unit.pdf'], { encoding: 'utf8' })).toMatch(
      /Page size:\s+595\.28 x 841\.89 pts \(A4\)/,
    );
    const flat = text.replace(/\s+/g, ' ');
    expect(text).toMatch(/^PÖYTÄKIRJANOTE\n/);
    expect(text).toContain('Pykälä § 87');
    expect(text).toContain('Päätös Hyväksyttiin päätösehdotus.');
    expect(text).toContain('Tiedoksi kunnanhallitus, Eeva Elomäki, Reetta Partanen, Sami Kuikka');
    expect(text).toContain('Lisätietoja Hyvinvointijohtaja Riitta Lappalainen, p. 040 834 7185');
    expect(flat).toContain(
      'Hyvinvointilautakunta nimeää Pohjois-Karjalan hyvinvointialueen alueelliseen kumppanuusryhmään Liperin ' +
        'edustajiksi hyvinvointi- ja hankekoordinaattori Eeva Elomäen, vapaa-aikapäällikkö Reetta Partasen, ' +
        'työllisyyspalveluvastaava Sami Kuikan ja hyvinvointijohtaja Riitta Lappalaisen.',
    );
    expect(flat).toContain('Lisäksi muita tapaamisia on 2–3 kertaa vuodessa.');
    expect(flat).toContain('7 §:n 4 momentissa');
    expect(flat).toContain('Oikaisuvaatimuksen viimeinen jättöpäivä on 8.12.2023.');
    expect(flat).toContain('Otteen oikeaksi todistaa Liperi 21.11.2023 Sari Esimerkki hallintosihteeri');
  });

  it('prints characters the standard font lacks without failing, and the same input gives the same bytes', async () => {
    const input = liperi();
    input.decision.text = 'Hyväksyttiin; Čapek ja Gödel ✓';
    const doc = excerptDocument(input);
    const [a, b] = [await excerptPdf(doc), await excerptPdf(doc)];
    expect(Buffer.compare(Buffer.from(a), Buffer.from(b))).toBe(0);
    expect(pdfToText(a, 'liperi-excerpt-fallback')).toContain('Päätös Hyväksyttiin; Capek ja Gödel ?');
  });
});

describe('the excerpt mail as MIME', () => {
  it('attaches the PDF and encodes the Finnish subject, read back by mailparser', async () => {
    // prepare
    const input = liperi();
    const pdf = await excerptPdf(excerptDocument(input));
    // act
    const mail = excerptMail({ ...input, groupName: GROUP_NAME, copy: false, pdf });
    const bytes = Buffer.from(await rawMime('nimitys@nimitys.example', 'kirjaamo@siunsote.example', mail));
    const parsed = await simpleParser(bytes);
    // assess
    expect(bytes.toString('latin1')).toMatch(/^Subject: =\?UTF-8\?/m);
    expect(parsed.subject).toBe(
      'Ote: Liperin hyvinvointilautakunta 14.11.2023 § 87 – Edustajien nimeäminen alueellisiin kumppanuusryhmiin',
    );
    expect(parsed.text).toContain('Oikaisuvaatimuksen viimeinen jättöpäivä on 8.12.2023.');
    expect(parsed.html).toContain('OIKAISUVAATIMUSOHJE');
    expect(parsed.attachments).toHaveLength(1);
    expect(parsed.attachments[0]?.filename).toBe('poytakirjanote-liperi-2023-11-14-87.pdf');
    expect(parsed.attachments[0]?.contentType).toBe('application/pdf');
    expect(Buffer.compare(parsed.attachments[0]?.content ?? Buffer.alloc(0), Buffer.from(pdf))).toBe(0);
  });

  it('lets no field start a header of its own', async () => {
    // prepare: a group name and a title with CR/LF and a header after them
    const input = liperi();
    input.round.title = 'Nimeäminen\r\nBcc: attacker@evil.example';
    // act
    const mail = excerptMail({ ...input, groupName: 'Ryhmä\nX-Injected: 1', copy: false });
    const bytes = Buffer.from(await rawMime('nimitys@nimitys.example', 'kirjaamo@siunsote.example', mail));
    const parsed = await simpleParser(bytes);
    // assess
    expect(parsed.headers.has('bcc')).toBe(false);
    expect(parsed.headers.has('x-injected')).toBe(false);
    expect(parsed.subject).toContain('Nimeäminen Bcc: attacker@evil.example');
  });
});

describe('the diary number on the decision form', () => {
  const fields = {
    outcome: 'adopted',
    meetingDate: '2023-11-14',
    section: '87',
    text: 'Hyväksyttiin päätösehdotus.',
  };

  it('is optional, kept when given, and refused with control characters', () => {
    const seats = { min: 1, max: 4 };
    expect(parseDecisionForm(fields, seats, liperiProposal())).not.toHaveProperty('diaryNumber');
    expect(
      parseDecisionForm({ ...fields, diaryNumber: ' LIP/123/00.04.01/2023 ' }, seats, liperiProposal())
        .diaryNumber,
    ).toBe('LIP/123/00.04.01/2023');
    expect(() =>
      parseDecisionForm({ ...fields, diaryNumber: 'x'.repeat(61) }, seats, liperiProposal()),
    ).toThrow(ValidationError);
  });
});
