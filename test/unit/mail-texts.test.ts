import { describe, expect, it } from 'vitest';
import { excerptMail, excerptRecipients, excerptText } from '../../functions/domain/excerpt.ts';
import { escapeHtml, html, plainText, raw, singleLine } from '../../functions/domain/html.ts';
import {
  approvalRequestMail,
  decisionRequestMail,
  type MailContent,
  noAnswerMail,
  proposalRequestMail,
} from '../../functions/domain/mail-texts.ts';
import type { Person } from '../../functions/domain/types.ts';
import {
  GROUP_NAME,
  liperiDecision,
  liperiMunicipality,
  liperiNominees,
  liperiProposal,
  liperiRound,
} from '../fixtures/liperi.ts';

const LINK = 'https://nimitys.example/l/abc123?token=x&y=1';

const MINUTE_PROPOSAL =
  'Hyvinvointilautakunta nimeää Pohjois-Karjalan hyvinvointialueen alueelliseen kumppanuusryhmään ' +
  'Liperin edustajiksi hyvinvointi- ja hankekoordinaattori Eeva Elomäen, vapaa-aikapäällikkö Reetta ' +
  'Partasen, työllisyyspalveluvastaava Sami Kuikan ja hyvinvointijohtaja Riitta Lappalaisen.';

function liperiExcerptInput() {
  return {
    round: liperiRound(),
    municipality: liperiMunicipality(),
    proposal: liperiProposal(),
    decision: liperiDecision(),
  };
}

/** Every href in the HTML part, unescaped. */
function hrefs(mail: MailContent): string[] {
  return [...mail.html.matchAll(/href="([^"]*)"/g)].map((m) => (m[1] ?? '').replaceAll('&amp;', '&'));
}

/** Every mail of the process for the Liperi case, built with the given link. */
function allLiperiMails(): Array<[string, MailContent]> {
  const input = liperiExcerptInput();
  return [
    ['proposal request', proposalRequestMail({ ...input, linkUrl: LINK, groupName: GROUP_NAME })],
    ['approval request', approvalRequestMail({ ...input, linkUrl: LINK })],
    ['decision request', decisionRequestMail({ ...input, linkUrl: LINK })],
    ['excerpt', excerptMail({ ...input, groupName: GROUP_NAME, copy: false })],
    ['excerpt copy', excerptMail({ ...input, groupName: GROUP_NAME, copy: true })],
    ['no answer', noAnswerMail(input)],
  ];
}

describe('the excerpt of the Liperi minute', () => {
  it('contains every line of the decision part of the minute', () => {
    // Arrange
    const input = liperiExcerptInput();
    // Act
    const lines = excerptText(input);
    // Assert
    expect(lines).toContain(`Päätösehdotus  ${MINUTE_PROPOSAL}`);
    expect(lines).toContain('Päätös  Hyväksyttiin päätösehdotus.');
    expect(lines).toContain('Ote  Pohjois-Karjalan hyvinvointialue');
    expect(lines).toContain('Tiedoksi  kunnanhallitus, Eeva Elomäki, Reetta Partanen, Sami Kuikka');
    expect(lines).toContain('Lisätietoja  Hyvinvointijohtaja Riitta Lappalainen, p. 040 834 7185');
    expect(lines).toContain('Valmistelija  Hyvinvointijohtaja Riitta Lappalainen');
    expect(lines).toContain('Esittelijä  Hyvinvointijohtaja Riitta Lappalainen');
  });

  it('leaves the presenter off the Tiedoksi line even when her address differs in case', () => {
    // Arrange
    const input = liperiExcerptInput();
    input.municipality.presenter.email = 'Riitta.Lappalainen@LIPERI.example';
    // Act
    const tiedoksi = excerptText(input).find((l) => l.startsWith('Tiedoksi'));
    // Assert
    expect(tiedoksi).toBeDefined();
    expect(tiedoksi).not.toContain('Riitta Lappalainen');
  });

  it('keeps the minute order: heading, municipality, body, meeting, §, title, case, decision part', () => {
    // Arrange
    const input = liperiExcerptInput();
    // Act
    const lines = excerptText(input);
    const at = (prefix: string) => lines.findIndex((l) => l.startsWith(prefix));
    // Assert
    const order = [
      at('PÖYTÄKIRJANOTE'),
      at('Kunta  Liperi'),
      at('Toimielin  Hyvinvointilautakunta'),
      at('Kokous  14.11.2023'),
      at('Pykälä  § 87'),
      at('Edustajien nimeäminen alueellisiin kumppanuusryhmiin'),
      at('Laissa sosiaali- ja terveydenhuollon'),
      at('Valmistelija'),
      at('Esittelijä'),
      at('Päätösehdotus'),
      at('Päätös  '),
      at('Ote'),
      at('Tiedoksi'),
      at('Lisätietoja'),
    ];
    expect(order.every((i) => i >= 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(lines.every((l) => !l.includes('\n'))).toBe(true);
  });

  it('omits the phone from Lisätietoja when the presenter has none', () => {
    // Arrange
    const input = liperiExcerptInput();
    delete input.municipality.presenter.phone;
    // Act
    const lines = excerptText(input);
    // Assert
    expect(lines).toContain('Lisätietoja  Hyvinvointijohtaja Riitta Lappalainen');
  });

  it('sends the excerpt to the organiser as Ote and the copies as Tiedoksi', () => {
    // Arrange
    const input = liperiExcerptInput();
    // Act
    const ote = excerptMail({ ...input, groupName: GROUP_NAME, copy: false });
    const copy = excerptMail({ ...input, groupName: GROUP_NAME, copy: true });
    // Assert
    expect(ote.subject).toBe(
      'Ote: Liperin hyvinvointilautakunta 14.11.2023 § 87 – Edustajien nimeäminen alueellisiin kumppanuusryhmiin',
    );
    expect(copy.subject.startsWith('Tiedoksi: ')).toBe(true);
    expect(copy.text).toContain('Tiedoksi: pöytäkirjanote');
    expect(ote.text).toContain(MINUTE_PROPOSAL);
    expect(ote.html).toContain(MINUTE_PROPOSAL);
    expect(ote.html).toContain('Hyväksyttiin päätösehdotus.');
    expect(ote.html).toContain('040 834 7185');
  });

  it('takes a section recorded with its § sign without doubling it', () => {
    // Arrange
    const input = liperiExcerptInput();
    input.decision.section = '§ 87';
    // Act
    const lines = excerptText(input);
    // Assert
    expect(lines).toContain('Pykälä  § 87');
  });
});

describe('who gets the excerpt', () => {
  it('is the organiser, the board and the three nominees other than the presenter', () => {
    // Arrange
    const input = liperiExcerptInput();
    // Act
    const recipients = excerptRecipients(input);
    // Assert
    expect(recipients).toEqual([
      { email: 'kirjaamo@siunsote.example', name: 'Pohjois-Karjalan hyvinvointialue', purpose: 'excerpt' },
      { email: 'kunnanhallitus@liperi.example', name: 'Liperin kunnanhallitus', purpose: 'excerpt-copy' },
      { email: 'eeva.elomaki@liperi.example', name: 'Eeva Elomäki', purpose: 'excerpt-copy' },
      { email: 'reetta.partanen@liperi.example', name: 'Reetta Partanen', purpose: 'excerpt-copy' },
      { email: 'sami.kuikka@liperi.example', name: 'Sami Kuikka', purpose: 'excerpt-copy' },
    ]);
  });

  it('sends one mail per address, whatever its case', () => {
    // Arrange
    const input = liperiExcerptInput();
    const duplicate: Person = { name: 'Sami Kuikka', title: 'x', email: 'SAMI.KUIKKA@liperi.example' };
    input.decision.nominees.push(duplicate);
    input.municipality.boardEmail = 'Kirjaamo@Siunsote.example';
    // Act
    const recipients = excerptRecipients(input);
    // Assert
    expect(recipients.map((r) => r.email)).toEqual([
      'kirjaamo@siunsote.example',
      'eeva.elomaki@liperi.example',
      'reetta.partanen@liperi.example',
      'sami.kuikka@liperi.example',
    ]);
  });

  it('follows the decided nominees, not the proposed ones', () => {
    // Arrange
    const input = liperiExcerptInput();
    input.decision.outcome = 'adopted_with_changes';
    input.decision.nominees = liperiNominees().slice(1, 2);
    // Act
    const copies = excerptRecipients(input).filter((r) => r.purpose === 'excerpt-copy');
    // Assert
    expect(copies.map((r) => r.name)).toEqual(['Liperin kunnanhallitus', 'Reetta Partanen']);
  });
});

describe('the request and the municipal steps', () => {
  it('asks for 1–4 employees to the group by the deadline, with the link to fill in', () => {
    // Arrange
    const input = liperiExcerptInput();
    // Act
    const mail = proposalRequestMail({ ...input, linkUrl: LINK, groupName: GROUP_NAME });
    // Assert
    expect(mail.subject).toBe(
      'Pyyntö: edustajien nimeäminen alueelliseen kumppanuusryhmään – vastaus 30.11.2023 mennessä',
    );
    expect(mail.text).toContain('1–4 työntekijää');
    expect(mail.text).toContain(`”${GROUP_NAME}”`);
    expect(mail.text).toContain('noin neljä kertaa vuodessa');
    expect(mail.text).toContain(`Täytä ehdotus: ${LINK}`);
    expect(mail.text).toContain('tiina.esimerkki@siunsote.example');
    expect(mail.html).toContain('Täytä ehdotus</a>');
  });

  it('shows the presenter the nominees and the päätösehdotus to approve', () => {
    // Arrange
    const input = liperiExcerptInput();
    // Act
    const mail = approvalRequestMail({ ...input, linkUrl: LINK });
    // Assert
    expect(mail.subject).toBe('Hyväksyttävänä: Liperin ehdotus edustajiksi alueelliseen kumppanuusryhmään');
    expect(mail.text).toContain('Hyvä Riitta Lappalainen,');
    expect(mail.text).toContain('- Sami Kuikka, työllisyyspalveluvastaava, sami.kuikka@liperi.example');
    expect(mail.text).toContain(MINUTE_PROPOSAL);
    expect(mail.text).toContain('hyvinvointilautakunnan esityslistalle');
    expect(mail.text).toContain('2.11.2023 klo 10.30');
  });

  it('asks the secretary to record meeting date, section and outcome', () => {
    // Arrange
    const input = liperiExcerptInput();
    // Act
    const mail = decisionRequestMail({ ...input, linkUrl: LINK });
    // Assert
    expect(mail.subject).toBe(
      'Kirjattavana: Liperin hyvinvointilautakunnan päätös alueellisen kumppanuusryhmän edustajista',
    );
    expect(mail.text).toContain('Hyvinvointilautakunnan sihteerille');
    expect(mail.text).toContain('kokouspäivä, pykälä (§) ja päätös');
    expect(mail.text).toContain(`Kirjaa päätös: ${LINK}`);
  });

  it('refuses a link that is not a web address', () => {
    // Arrange
    const input = liperiExcerptInput();
    // Act
    const build = () => approvalRequestMail({ ...input, linkUrl: 'javascript:alert(1)' });
    // Assert
    expect(build).toThrow(RangeError);
  });
});

describe('no answer', () => {
  it('tells the organiser which municipality missed the deadline and how to reach it', () => {
    // Arrange
    const input = liperiExcerptInput();
    // Act
    const mail = noAnswerMail(input);
    // Assert
    expect(mail.subject).toBe('Ei vastausta: Liperi – määräaika 30.11.2023 päättyi');
    expect(mail.text).toContain('Liperi ei ole nimennyt edustajia');
    expect(mail.text).toContain('kirjaamo@liperi.example');
  });
});

describe('every mail', () => {
  it.each(allLiperiMails())('the %s mail links to nothing but the given link', (_name, mail) => {
    for (const href of hrefs(mail)) expect(href).toBe(LINK);
  });

  it.each(allLiperiMails())(
    'the %s mail ends with the service footer and the organiser contact',
    (_name, mail) => {
      expect(mail.text).toContain(
        'Viestin on lähettänyt Nimitys-palvelu Pohjois-Karjalan hyvinvointialueen puolesta. Tähän viestiin ei voi vastata.',
      );
      expect(mail.text).toContain(
        'Yhteyshenkilö (Pohjois-Karjalan hyvinvointialue): hyvinvointikoordinaattori Tiina Esimerkki',
      );
      expect(mail.html).toContain('<html lang="fi">');
    },
  );

  it('escapes markup typed into any field and keeps control characters out of the subject', () => {
    // Arrange
    const evil = '<script>alert("x")</script>\r\nBcc: victim@example.com';
    const round = liperiRound();
    round.title = evil;
    round.caseText = evil;
    round.organiser.name = evil;
    round.organiser.contact.name = evil;
    const municipality = liperiMunicipality();
    municipality.name = evil;
    municipality.body.name = evil;
    municipality.presenter.name = evil;
    municipality.preparer.title = evil;
    const nominees: Person[] = [{ name: evil, title: evil, email: 'x@liperi.example', phone: evil }];
    const proposal = { ...liperiProposal(), nominees, text: evil, submittedBy: evil };
    const decision = { ...liperiDecision(), nominees, text: evil, section: evil };
    const input = { round, municipality, proposal, decision };
    // Act
    const mails = [
      proposalRequestMail({ ...input, linkUrl: LINK, groupName: evil }),
      approvalRequestMail({ ...input, linkUrl: LINK }),
      decisionRequestMail({ ...input, linkUrl: LINK }),
      excerptMail({ ...input, groupName: evil, copy: false }),
      excerptMail({ ...input, groupName: evil, copy: true }),
      noAnswerMail(input),
    ];
    // Assert
    for (const mail of mails) {
      expect(mail.html).not.toContain('<script');
      expect(mail.html).toContain('&lt;script&gt;');
      expect(mail.subject).not.toMatch(/[\r\n]/);
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the test looks for exactly these
      expect(mail.subject).not.toMatch(/[\u0000-\u001f\u007f]/);
      expect(mail.text).not.toContain('\r');
    }
  });
});

describe('the safe HTML helpers', () => {
  it('escapes the five markup characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  it('escapes interpolations but not raw markup or nested templates', () => {
    // Arrange
    const name = '<b>Eeva</b>';
    // Act
    const out = html`<p>${name}${raw('<br>')}${html`<i>${'&'}</i>`}${[1, '<']}${null}${false}</p>`.toString();
    // Assert
    expect(out).toBe('<p>&lt;b&gt;Eeva&lt;/b&gt;<br><i>&amp;</i>1&lt;</p>');
  });

  it('keeps line breaks in plain text but drops other control characters', () => {
    expect(plainText('a\r\nb\u0000c\td\u202ee\u0085f')).toBe('a\nbc def');
  });

  it('makes a subject one line', () => {
    expect(singleLine(' Ote:\r\nBcc: x@y.example \u0007')).toBe('Ote: Bcc: x@y.example');
  });
});
