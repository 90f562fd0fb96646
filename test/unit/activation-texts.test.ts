import { describe, expect, it } from 'vitest';
import {
  groupWelcomeMail,
  memberLeftMail,
  municipalityNoticeMail,
  rosterPlanMail,
} from '../../functions/domain/activation-texts.ts';
import { meetingPlan } from '../../functions/domain/meeting-plan.ts';
import { groupRoster, municipalMembers } from '../../functions/domain/roster.ts';
import type { Person, Round } from '../../functions/domain/types.ts';
import { GROUP_ID, GROUP_NAME, liperiMunicipality, liperiNominees, liperiRound } from '../fixtures/liperi.ts';

const ICS = 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n';

function liperiGroup(round: Round, members = liperiNominees()) {
  const group = round.groups.find((g) => g.id === GROUP_ID);
  if (!group) throw new Error(`fixture has ${GROUP_ID}`);
  return groupRoster(
    round,
    group,
    municipalMembers(group, (id) => (id === 'liperi' ? members : undefined)),
  );
}

describe('the mails of a group’s start', () => {
  it('welcomes a member with the group, the start, the rhythm, the plan, the roster and the calendar', () => {
    // prepare
    const round = liperiRound();
    const [member] = liperiNominees();
    if (!member) throw new Error('fixture has nominees');

    // act
    const mail = groupWelcomeMail({
      round,
      roster: liperiGroup(round),
      plan: meetingPlan('2024-01-01', 4),
      member,
      ics: ICS,
    });

    // assess
    expect(mail.subject).toBe(`Tervetuloa: ${GROUP_NAME} aloittaa 1.1.2024`);
    expect(mail.text).toContain(
      `Sinut on nimetty Liperin edustajaksi ryhmään ”${GROUP_NAME}”. Tervetuloa mukaan!`,
    );
    expect(mail.text).toContain('kokoontuu noin neljä kertaa vuodessa');
    expect(mail.text).toContain('Ensimmäinen tapaaminen on ti 20.2.2024 klo 13.00–15.00');
    expect(mail.text).toContain(
      '- ti 21.5.2024 klo 9.00–12.00 Vuotuinen hyvinvointineuvottelu (hyvinvointikertomus ja -suunnitelma)',
    );
    expect(mail.text).toContain(
      'Teemat jokaisessa tapaamisessa: elintavat, mielen hyvinvointi, ehkäisevä päihdetyö, arjen toimintakyky, turvallisuus, osallisuus.',
    );
    expect(mail.text).toContain(
      '- Riitta Lappalainen, hyvinvointijohtaja, riitta.lappalainen@liperi.example, p. 040 834 7185',
    );
    expect(mail.attachments).toEqual([
      {
        filename: `kumppanuusryhma-${GROUP_ID}.ics`,
        contentType: 'text/calendar; charset=utf-8; method=PUBLISH',
        content: ICS,
      },
    ]);
  });

  it('tells the organiser the roster and who named no one, or that everyone did', () => {
    const round = liperiRound();
    const plan = meetingPlan('2024-01-01', 4);

    const mail = rosterPlanMail({ round, roster: liperiGroup(round), plan, ics: ICS });
    const none = rosterPlanMail({ round, roster: liperiGroup(round, []), plan, ics: ICS });

    expect(mail.subject).toBe(`Kokoonpano ja tapaamiset: ${GROUP_NAME} – toiminta alkaa 1.1.2024`);
    expect(mail.text).toContain('Jäseniä on 4.');
    expect(mail.text).toContain('Kaikki ryhmän kunnat ovat nimenneet edustajansa.');
    expect(none.text).toContain('Jäseniä on 0.');
    expect(none.text).toContain('Edustajia eivät ole nimenneet: Liperi.');
  });

  it('tells the municipality’s presenter who of theirs is in the group', () => {
    const round = liperiRound();

    const mail = municipalityNoticeMail({
      round,
      roster: liperiGroup(round),
      plan: meetingPlan('2024-01-01', 4),
      municipality: liperiMunicipality(),
    });

    expect(mail.subject).toBe(`Tiedoksi: ${GROUP_NAME} aloitti toimintansa 1.1.2024`);
    expect(mail.text).toContain(
      'Liperin edustajat ryhmässä:\n- Eeva Elomäki, hyvinvointi- ja hankekoordinaattori',
    );
  });

  it('thanks a replaced member and names who follows', () => {
    const round = liperiRound();
    const [, , kuikka] = liperiNominees();
    if (!kuikka) throw new Error('fixture has Sami Kuikka');
    const successor: Person = {
      name: 'Tuomas Tanskanen',
      title: 'Työllisyyskoordinaattori',
      email: 't@liperi.example',
    };

    const mail = memberLeftMail({
      round,
      roster: liperiGroup(round),
      municipality: liperiMunicipality(),
      member: kuikka,
      successors: [successor],
    });

    expect(mail.subject).toBe(`Jäsenyys päättynyt: ${GROUP_NAME}`);
    expect(mail.text).toContain(
      `Liperin uuden päätöksen mukaan jäsenyytesi ryhmässä ”${GROUP_NAME}” on päättynyt.`,
    );
    expect(mail.text).toContain('Tilallesi on nimetty työllisyyskoordinaattori Tuomas Tanskanen.');
  });

  it('escapes markup typed into any field and keeps control characters out of the subject', () => {
    // prepare: everything a person typed is hostile
    const evil = '<script>alert("x")</script>\r\nBcc: victim@example.com';
    const round = liperiRound();
    round.organiser.name = evil;
    for (const group of round.groups) {
      group.name = evil;
      group.partners = [{ organisation: evil, name: evil, title: evil, email: 'p@x.example', phone: evil }];
    }
    const municipality = { ...liperiMunicipality(), name: evil };
    round.municipalities = round.municipalities.map((m) => (m.id === 'liperi' ? municipality : m));
    const nominees: Person[] = [{ name: evil, title: evil, email: 'x@liperi.example', phone: evil }];
    const roster = liperiGroup(round, nominees);
    const plan = meetingPlan('2024-01-01', 4);
    const [member] = nominees as [Person];

    // act
    const mails = [
      groupWelcomeMail({ round, roster, plan, member, ics: ICS, replacing: nominees }),
      rosterPlanMail({ round, roster, plan, ics: ICS }),
      rosterPlanMail({ round, roster, plan, ics: ICS, change: evil }),
      municipalityNoticeMail({ round, roster, plan, municipality }),
      memberLeftMail({ round, roster, municipality, member, successors: nominees }),
    ];

    // assess
    for (const mail of mails) {
      expect(mail.html).not.toContain('<script');
      expect(mail.html).toContain('&lt;script&gt;');
      expect(mail.subject).not.toMatch(/[\r\n]/);
      expect(mail.text).not.toContain('\r');
    }
  });
});
