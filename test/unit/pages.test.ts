import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { FieldError } from '../../functions/domain/errors.ts';
import { ADOPTED_TEXT } from '../../functions/domain/forms.ts';
import type { Municipality, Proposal, Round } from '../../functions/domain/types.ts';
import {
  PAGE_CSP,
  PAGE_STYLE_HASH,
  renderApprovalPage,
  renderDecisionPage,
  renderErrorPage,
  renderProposalPage,
  renderResultPage,
} from '../../functions/http/pages.ts';
import { GROUP_NAME, liperiMunicipality, liperiProposal, liperiRound } from '../fixtures/liperi.ts';

// ---------------------------------------------------------------------------------
// A small reading of the generated markup. Every attribute the pages write is quoted
// and escaped, so a tag ends at the first ">".

interface Tag {
  name: string;
  attrs: Record<string, string>;
}

function decode(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

function tags(html: string, name: string): Tag[] {
  return [...html.matchAll(new RegExp(`<${name}\\b([^>]*)>`, 'g'))].map((m) => ({
    name,
    attrs: Object.fromEntries(
      [...(m[1] ?? '').matchAll(/\s([a-z-]+)(?:="([^"]*)")?/g)].map((a) => [a[1] ?? '', decode(a[2] ?? '')]),
    ),
  }));
}

/** Inputs a person fills in: every one needs a label. */
function controls(html: string): Tag[] {
  return [...tags(html, 'input'), ...tags(html, 'textarea'), ...tags(html, 'select')].filter(
    (t) => t.attrs.type !== 'hidden',
  );
}

function ids(html: string): string[] {
  return [...html.matchAll(/\sid="([^"]*)"/g)].map((m) => decode(m[1] ?? ''));
}

function inputValue(html: string, name: string): string | undefined {
  return tags(html, 'input').find((t) => t.attrs.name === name)?.attrs.value;
}

function textareaValue(html: string, name: string): string | undefined {
  const match = new RegExp(`<textarea[^>]*name="${name}"[^>]*>\\n([\\s\\S]*?)</textarea>`).exec(html);
  return match ? decode(match[1] ?? '') : undefined;
}

// ---------------------------------------------------------------------------------
// Fixtures

const PAYLOAD = `<script>alert(1)</script>"'><img src=x onerror=alert(1)>`;

/** Every string of the value, however deep, with markup appended. */
function hostile<T>(value: T): T {
  if (typeof value === 'string') return `${value}${PAYLOAD}` as T;
  if (Array.isArray(value)) return value.map(hostile) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, hostile(v)])) as T;
  }
  return value;
}

interface Scene {
  round: Round;
  municipality: Municipality;
  proposal: Proposal;
}

function liperi(): Scene {
  return { round: liperiRound(), municipality: liperiMunicipality(), proposal: liperiProposal() };
}

/** Every page there is, rendered from one scene, with and without errors. */
function allPages({ round, municipality, proposal }: Scene, extra: string = ''): Array<[string, string]> {
  const errors: FieldError[] = [
    { field: 'nominees.0.email', message: `Sähköpostiosoite ei ole kelvollinen.${extra}` },
    { field: 'text', message: `Liian pitkä.${extra}` },
  ];
  const values = {
    'nominees.0.name': `Eeva${extra}`,
    text: `Teksti${extra}`,
    meetingDate: `1.1.2024${extra}`,
  };
  return [
    [
      'proposal',
      renderProposalPage({
        round,
        municipality,
        groupName: `${GROUP_NAME}${extra}`,
        defaultText: proposal.text,
      }),
    ],
    [
      'proposal with errors',
      renderProposalPage({ round, municipality, groupName: GROUP_NAME, defaultText: '', values, errors }),
    ],
    ['approval', renderApprovalPage({ round, municipality, proposal })],
    ['decision', renderDecisionPage({ round, municipality, proposal })],
    ['decision with errors', renderDecisionPage({ round, municipality, proposal, values, errors })],
    [
      'result',
      renderResultPage({
        title: `Kiitos${extra}`,
        message: `Ehdotus lähti.${extra}`,
        details: [[`A${extra}`, `B${extra}`]],
      }),
    ],
    [
      'error',
      renderErrorPage({ status: 410, title: `Linkki on jo käytetty${extra}`, message: `Käytetty.${extra}` }),
    ],
  ];
}

// ---------------------------------------------------------------------------------

describe('every page', () => {
  it.each(allPages(liperi()))('is a complete Finnish document for phones: %s', (_name, html) => {
    // assess
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<html lang="fi">');
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(html).toMatch(/<title>[^<]+<\/title>/);
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
  });

  it.each(allPages(liperi()))('has no script and loads nothing from elsewhere: %s', (_name, html) => {
    // assess
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/https?:\/\//i);
    expect(html).not.toMatch(/\s(src|srcset)=/i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/@import|url\(/i);
    expect(html).not.toMatch(/\son[a-z]+=/i);
  });

  it.each(allPages(liperi()))(
    'has exactly the style sheet whose hash the CSP allows, and no style attribute: %s',
    (_name, html) => {
      // prepare
      const sheets = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1] ?? '');

      // act
      const hashes = sheets.map((s) => `sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}`);

      // assess
      expect(hashes).toEqual([PAGE_STYLE_HASH]);
      expect(PAGE_CSP).toContain(`style-src '${PAGE_STYLE_HASH}'`);
      expect(html).not.toMatch(/\sstyle=/);
    },
  );

  it.each(allPages(liperi()))('gives every input a label: %s', (_name, html) => {
    // prepare
    const labelled = new Set(tags(html, 'label').map((l) => l.attrs.for));

    // act
    const unlabelled = controls(html).filter((c) => !c.attrs.id || !labelled.has(c.attrs.id));

    // assess
    expect(unlabelled).toEqual([]);
  });

  it.each(allPages(liperi()))('has unique ids and only references ids that exist: %s', (_name, html) => {
    // prepare
    const all = ids(html);
    const known = new Set(all);

    // act
    const references = [
      ...tags(html, 'a').flatMap((a) => (a.attrs.href?.startsWith('#') ? [a.attrs.href.slice(1)] : [])),
      ...[...html.matchAll(/aria-(?:describedby|labelledby)="([^"]*)"/g)].flatMap((m) =>
        (m[1] ?? '').split(' '),
      ),
      ...tags(html, 'label').map((l) => l.attrs.for ?? ''),
    ];

    // assess
    expect(all.length).toBe(known.size);
    expect(references.filter((r) => !known.has(r))).toEqual([]);
  });

  it.each(allPages(liperi()))(
    'posts its form back to the same address as a urlencoded form: %s',
    (_name, html) => {
      // act
      const forms = tags(html, 'form');

      // assess
      for (const form of forms) {
        expect(form.attrs).toMatchObject({
          method: 'post',
          action: '',
          enctype: 'application/x-www-form-urlencoded',
        });
      }
    },
  );

  it.each(allPages(hostile(liperi()), PAYLOAD))('escapes markup in every field: %s', (_name, html) => {
    // assess: the payload only ever appears escaped
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).not.toContain(`"'>`);
    expect(html).toContain(
      '&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&gt;&lt;img src=x onerror=alert(1)&gt;',
    );
  });
});

describe('renderProposalPage', () => {
  it('tells what is asked, by whom and by when, and who presents and decides', () => {
    // prepare
    const { round, municipality, proposal } = liperi();

    // act
    const html = renderProposalPage({
      round,
      municipality,
      groupName: GROUP_NAME,
      defaultText: proposal.text,
    });

    // assess
    expect(html).toContain('Pohjois-Karjalan hyvinvointialue');
    expect(html).toContain('Liperi');
    expect(html).toContain(GROUP_NAME);
    expect(html).toContain('1–4 työntekijää');
    expect(html).toContain('30.11.2023');
    expect(html).toContain('hyvinvointijohtaja Riitta Lappalainen');
    expect(html).toContain('hyvinvointilautakunta');
    expect(html).toMatch(/<button type="submit">Lähetä ehdotus esittelijälle<\/button>/);
  });

  it('offers one fieldset per seat with name, title, e-mail and phone', () => {
    // prepare
    const { round, municipality } = liperi();

    // act
    const html = renderProposalPage({ round, municipality, groupName: GROUP_NAME, defaultText: '' });

    // assess
    expect(html.match(/<fieldset>/g)).toHaveLength(round.seats.max);
    expect(html.match(/<legend>Henkilö \d/g)).toHaveLength(round.seats.max);
    const names = controls(html).map((c) => c.attrs.name);
    expect(names).toContain('nominees.3.phone');
    expect(names).not.toContain('nominees.4.name');
    expect(tags(html, 'input').find((t) => t.attrs.name === 'nominees.0.email')?.attrs.type).toBe('email');
    expect(tags(html, 'input').find((t) => t.attrs.name === 'nominees.0.phone')?.attrs.type).toBe('tel');
  });

  it('prefills the proposal text and says it may be edited', () => {
    // prepare
    const { round, municipality, proposal } = liperi();

    // act
    const html = renderProposalPage({
      round,
      municipality,
      groupName: GROUP_NAME,
      defaultText: proposal.text,
    });

    // assess
    expect(textareaValue(html, 'text')).toBe(proposal.text);
    expect(html).toContain('Voit muokata tekstiä');
  });

  it('shows every typed value again after errors, with the errors linked to their fields', () => {
    // prepare: values as posted, one of them invalid
    const { round, municipality, proposal } = liperi();
    const values = {
      'nominees.0.name': 'Eeva Elomäki',
      'nominees.0.title': 'koordinaattori',
      'nominees.0.email': 'eeva(at)liperi.fi',
      'nominees.2.phone': '040 & 123',
      text: 'Oma teksti\n\ntoinen kappale',
    };
    const errors = [
      { field: 'nominees.0.email', message: 'Sähköpostiosoite ei ole kelvollinen.' },
      { field: 'nominees', message: 'Ehdota vähintään 1 ja enintään 4 henkilöä.' },
    ];

    // act
    const html = renderProposalPage({
      round,
      municipality,
      groupName: GROUP_NAME,
      defaultText: proposal.text,
      values,
      errors,
    });

    // assess: values
    expect(inputValue(html, 'nominees.0.name')).toBe('Eeva Elomäki');
    expect(inputValue(html, 'nominees.0.email')).toBe('eeva(at)liperi.fi');
    expect(inputValue(html, 'nominees.2.phone')).toBe('040 & 123');
    expect(inputValue(html, 'nominees.1.name')).toBe('');
    expect(textareaValue(html, 'text')).toBe('Oma teksti\n\ntoinen kappale');
    // assess: error summary first, linking to the fields
    expect(html).toMatch(/<title>Virhe: /);
    expect(html.indexOf('error-summary')).toBeLessThan(html.indexOf('<form'));
    expect(html).toContain('<a href="#nominees-0-email">Sähköpostiosoite ei ole kelvollinen.</a>');
    expect(html).toContain('<a href="#nominees">Ehdota vähintään 1 ja enintään 4 henkilöä.</a>');
    // assess: the field says it is invalid and points at its message
    const email = tags(html, 'input').find((t) => t.attrs.name === 'nominees.0.email');
    expect(email?.attrs['aria-invalid']).toBe('true');
    expect(email?.attrs['aria-describedby']).toBe('nominees-0-email-error');
    expect(html).toMatch(
      /id="nominees-0-email-error"><span class="visually-hidden">Virhe: <\/span>Sähköpostiosoite/,
    );
  });

  it('keeps an emptied text box empty rather than refilling the default', () => {
    // prepare
    const { round, municipality, proposal } = liperi();

    // act
    const html = renderProposalPage({
      round,
      municipality,
      groupName: GROUP_NAME,
      defaultText: proposal.text,
      values: { text: '' },
      errors: [{ field: 'nominees', message: 'x' }],
    });

    // assess
    expect(textareaValue(html, 'text')).toBe('');
  });

  it('keeps a text that starts with a line break intact', () => {
    // prepare
    const { round, municipality } = liperi();

    // act
    const html = renderProposalPage({
      round,
      municipality,
      groupName: GROUP_NAME,
      defaultText: '\nAlkaa rivinvaihdolla',
    });

    // assess: the parser drops one newline after <textarea>, the page adds it
    expect(html).toContain('>\n\nAlkaa rivinvaihdolla</textarea>');
  });
});

describe('renderApprovalPage', () => {
  it('shows the nominees and the proposal text and posts action=approve with the CSRF value', () => {
    // prepare
    const { round, municipality, proposal } = liperi();

    // act
    const html = renderApprovalPage({
      round,
      municipality,
      proposal,
      csrf: 'csrf-value',
      target: 'r/liperi/approval',
    });

    // assess
    for (const person of proposal.nominees) {
      expect(html).toContain(person.name);
      expect(html).toContain(person.title);
    }
    expect(html).toContain('040 834 7185');
    expect(html).toContain(proposal.text);
    expect(html).toContain('2.11.2023 klo 10.30');
    const approveForm = html.split('</form>')[0] ?? '';
    expect(tags(approveForm, 'input')).toEqual([
      { name: 'input', attrs: { type: 'hidden', name: 'csrf', value: 'csrf-value' } },
      { name: 'input', attrs: { type: 'hidden', name: 'target', value: 'r/liperi/approval' } },
      { name: 'input', attrs: { type: 'hidden', name: 'action', value: 'approve' } },
    ]);
    expect(html).toMatch(/<button type="submit">Hyväksy esityslistalle<\/button>/);
  });

  it('offers returning the proposal to the preparer with a comment, and a hand-off to a substitute', () => {
    // prepare
    const { round, municipality, proposal } = liperi();

    // act
    const html = renderApprovalPage({
      round,
      municipality,
      proposal,
      csrf: 'c',
      target: 'r/liperi/approval',
    });

    // assess: every form carries the CSRF value and the target; the return and hand-off are buttons, not hidden fields
    const forms = html.split('<form').slice(1);
    expect(forms).toHaveLength(3);
    for (const form of forms) {
      expect(form).toContain('name="csrf" value="c"');
      expect(form).toContain('name="target" value="r/liperi/approval"');
    }
    expect(html).toContain(
      '<button type="submit" name="action" value="return">Palauta valmistelijalle</button>',
    );
    expect(html).toContain('<button type="submit" name="handoff" value="1">Siirrä sijaiselle</button>');
    expect(textareaValue(html, 'comment')).toBe('');
  });
});

describe('renderDecisionPage', () => {
  it('asks for the meeting date, section, outcome and decision text, prefilled for an adoption', () => {
    // prepare
    const { round, municipality, proposal } = liperi();

    // act
    const html = renderDecisionPage({ round, municipality, proposal });

    // assess
    expect(tags(html, 'input').find((t) => t.attrs.name === 'meetingDate')?.attrs.type).toBe('date');
    expect(inputValue(html, 'section')).toBe('');
    const radios = tags(html, 'input').filter((t) => t.attrs.name === 'outcome');
    expect(radios.map((r) => [r.attrs.value, 'checked' in r.attrs])).toEqual([
      ['adopted', true],
      ['adopted_with_changes', false],
      ['returned', false],
      ['tabled', false],
      ['rejected', false],
    ]);
    expect(tags(html, 'input').find((t) => t.attrs.name === 'nextMeetingDate')?.attrs.type).toBe('date');
    expect(textareaValue(html, 'text')).toBe(ADOPTED_TEXT);
    expect(html).toContain(proposal.text);
  });

  it('prefills the nominee rows from the proposal and says they count only with changes', () => {
    // prepare
    const { round, municipality, proposal } = liperi();

    // act
    const html = renderDecisionPage({ round, municipality, proposal });

    // assess
    proposal.nominees.forEach((p, i) => {
      expect(inputValue(html, `nominees.${i}.name`)).toBe(p.name);
      expect(inputValue(html, `nominees.${i}.email`)).toBe(p.email);
      expect(inputValue(html, `nominees.${i}.phone`)).toBe(p.phone ?? '');
    });
    expect(html).toContain('Käytetään vain, jos valitsit ”Hyväksyttiin muutettuna”');
    expect(html).toMatch(/<details>\n<summary>/);
  });

  it('shows the typed values and chosen outcome again after errors, with the nominee rows open', () => {
    // prepare
    const { round, municipality, proposal } = liperi();
    const values = {
      meetingDate: '31.2.2024',
      section: '§ 87',
      outcome: 'adopted_with_changes',
      text: 'Hyväksyttiin muutettuna.',
      'nominees.0.name': 'Matti Meikäläinen',
    };
    const errors = [
      { field: 'meetingDate', message: 'Kokouksen päivämäärä ei ole kelvollinen.' },
      { field: 'nominees.0.title', message: 'Kirjoita henkilön tehtävänimike.' },
    ];

    // act
    const html = renderDecisionPage({ round, municipality, proposal, values, errors });

    // assess
    expect(inputValue(html, 'meetingDate')).toBe('31.2.2024');
    expect(inputValue(html, 'section')).toBe('§ 87');
    expect(textareaValue(html, 'text')).toBe('Hyväksyttiin muutettuna.');
    expect(inputValue(html, 'nominees.0.name')).toBe('Matti Meikäläinen');
    expect(inputValue(html, 'nominees.1.name')).toBe('');
    const checked = tags(html, 'input').filter((t) => t.attrs.name === 'outcome' && 'checked' in t.attrs);
    expect(checked.map((t) => t.attrs.value)).toEqual(['adopted_with_changes']);
    expect(html).toContain('<details open>');
    expect(html).toContain('<a href="#meetingDate">');
    expect(html).toContain('<a href="#nominees-0-title">');
  });

  it('links an outcome error to the first choice', () => {
    // prepare
    const { round, municipality, proposal } = liperi();

    // act
    const html = renderDecisionPage({
      round,
      municipality,
      proposal,
      values: { outcome: '' },
      errors: [{ field: 'outcome', message: 'Valitse.' }],
    });

    // assess
    expect(html).toContain('<a href="#outcome">Valitse.</a>');
    expect(tags(html, 'input').find((t) => t.attrs.id === 'outcome')?.attrs.value).toBe('adopted');
  });
});

describe('renderResultPage and renderErrorPage', () => {
  it('thanks the official and lists the details', () => {
    // act
    const html = renderResultPage({
      title: 'Kiitos',
      message: 'Ehdotus on lähetetty esittelijälle.',
      details: [['Esittelijä', 'hyvinvointijohtaja Riitta Lappalainen']],
    });

    // assess
    expect(html).toContain('<h1>Kiitos</h1>');
    expect(html).toContain('<p>Ehdotus on lähetetty esittelijälle.</p>');
    expect(html).toContain('<dt>Esittelijä</dt><dd>hyvinvointijohtaja Riitta Lappalainen</dd>');
  });

  it.each([
    [400, 'Lomaketta ei voitu lukea'],
    [404, 'Linkki ei ole voimassa'],
    [410, 'Linkki on jo käytetty'],
    [413, 'Lomake on liian suuri'],
    [500, 'Jotain meni vikaan'],
  ] as const)('renders a %i page titled "%s"', (status, title) => {
    // act
    const html = renderErrorPage({ status, title, message: 'Ehdotus lähetettiin 2.11.2023 klo 10.30.' });

    // assess
    expect(html).toContain(`<h1>${title}</h1>`);
    expect(html).toContain('Ehdotus lähetettiin 2.11.2023 klo 10.30.');
    expect(html).toContain(`Virhekoodi ${status}`);
  });
});
