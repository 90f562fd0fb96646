import { describe, expect, it } from 'vitest';
import { groupRoster, memberChange, municipalMembers, rosterPeople } from '../../functions/domain/roster.ts';
import type { PartnershipGroup, Person, Round } from '../../functions/domain/types.ts';
import { liperiNominees, liperiRound } from '../fixtures/liperi.ts';

const county: Person = { name: 'Kaisa Kemppainen', title: 'koordinaattori', email: 'kaisa@siunsote.example' };

function roundWithPartners(): { round: Round; group: PartnershipGroup } {
  const round = liperiRound();
  const [eeva] = liperiNominees();
  if (!eeva) throw new Error('fixture has nominees');
  const group: PartnershipGroup = {
    id: 'g',
    name: 'Ryhmä',
    municipalityIds: ['liperi'],
    representatives: [county],
    partners: [
      { organisation: 'Liperin seurakunta', name: 'Jukka', title: 'diakoni', email: 'jukka@srk.example' },
      // someone named both by the municipality and as a partner: one person on the roster
      { ...eeva, email: eeva.email.toUpperCase(), organisation: 'Yhdistys ry' },
      {
        organisation: 'Liperin seurakunta',
        name: 'Maija',
        title: 'nuorisotyönohjaaja',
        email: 'maija@srk.example',
      },
    ],
  };
  return { round: { ...round, groups: [group] }, group };
}

describe('a group’s roster', () => {
  it('lists the county first, then the municipalities, then the partners by organisation in the file’s order', () => {
    const { round, group } = roundWithPartners();

    const roster = groupRoster(
      round,
      group,
      municipalMembers(group, () => liperiNominees()),
    );

    expect(roster.sections.map((s) => [s.kind, s.name, s.members.length])).toEqual([
      ['organiser', 'Pohjois-Karjalan hyvinvointialue', 1],
      ['municipality', 'Liperi', 4],
      ['partner', 'Liperin seurakunta', 2],
      ['partner', 'Yhdistys ry', 1],
    ]);
    expect(roster.missingMunicipalities).toEqual([]);
  });

  it('holds each person once, whatever the case of the address, so nobody is welcomed twice', () => {
    const { round, group } = roundWithPartners();

    const people = rosterPeople(
      groupRoster(
        round,
        group,
        municipalMembers(group, () => liperiNominees()),
      ),
    );

    expect(people).toHaveLength(1 + 4 + 2);
    expect(people.filter((p) => p.name === 'Eeva Elomäki').map((p) => p.section.kind)).toEqual([
      'municipality',
    ]);
  });

  it('tells who leaves and who joins by address', () => {
    const [eeva, reetta, sami, riitta] = liperiNominees() as [Person, Person, Person, Person];
    const tuomas: Person = { name: 'Tuomas', title: 'koordinaattori', email: 'tuomas@liperi.example' };

    const change = memberChange(
      [eeva, reetta, sami, riitta],
      [{ ...eeva, title: 'uusi nimike' }, reetta, riitta, tuomas],
    );

    expect(change).toEqual({ leaving: [sami], joining: [tuomas] });
  });
});
