/**
 * Who is in a partnership group: the organiser's own representatives, the members each
 * municipality decided, and the partners the round file names. Pure.
 */
import type { GroupState, PartnershipGroup, Person, Round } from './types.ts';

export type RosterSectionKind = 'organiser' | 'municipality' | 'partner';

export interface RosterSection {
  kind: RosterSectionKind;
  /** The organiser's, the municipality's or the partner organisation's name. */
  name: string;
  municipalityId?: string;
  members: Person[];
}

export interface GroupRoster {
  groupId: string;
  groupName: string;
  /** Organiser first, then municipalities in Finnish alphabetical order, then partners as listed. */
  sections: RosterSection[];
  /** Names of the group's municipalities that have named no one (yet). */
  missingMunicipalities: string[];
}

/** A person on the roster with the section they belong to. */
export interface RosterPerson extends Person {
  section: RosterSection;
}

const fiCollator = new Intl.Collator('fi');

export const sameEmail = (a: string, b: string): boolean => a.trim().toLowerCase() === b.trim().toLowerCase();

/** The decided members of a group's municipalities, as stored on the group when it activates. */
export function municipalMembers(
  group: PartnershipGroup,
  membersOf: (municipalityId: string) => Person[] | undefined,
): GroupState['members'] {
  return group.municipalityIds.flatMap((municipalityId) =>
    (membersOf(municipalityId) ?? []).map((person) => ({ ...person, municipalityId })),
  );
}

export function groupRoster(
  round: Round,
  group: PartnershipGroup,
  members: GroupState['members'],
): GroupRoster {
  const nameOf = (id: string) => round.municipalities.find((m) => m.id === id)?.name ?? id;
  const municipalities: RosterSection[] = group.municipalityIds
    .map((municipalityId) => ({
      kind: 'municipality' as const,
      name: nameOf(municipalityId),
      municipalityId,
      members: members
        .filter((m) => m.municipalityId === municipalityId)
        .map(({ municipalityId: _id, ...person }) => person),
    }))
    .filter((s) => s.members.length > 0)
    .toSorted((a, b) => fiCollator.compare(a.name, b.name));
  const partners: RosterSection[] = [];
  for (const { organisation, ...person } of group.partners ?? []) {
    const section = partners.find((s) => s.name === organisation);
    if (section) section.members.push(person);
    else partners.push({ kind: 'partner', name: organisation, members: [person] });
  }
  const organiser: RosterSection[] = group.representatives?.length
    ? [{ kind: 'organiser', name: round.organiser.name, members: group.representatives }]
    : [];
  const missing = group.municipalityIds
    .filter((id) => !members.some((m) => m.municipalityId === id))
    .map(nameOf)
    .toSorted((a, b) => fiCollator.compare(a, b));
  return {
    groupId: group.id,
    groupName: group.name,
    sections: [...organiser, ...municipalities, ...partners],
    missingMunicipalities: missing,
  };
}

/** Everyone on the roster once (by e-mail address), in roster order. */
export function rosterPeople(roster: GroupRoster): RosterPerson[] {
  const people: RosterPerson[] = [];
  for (const section of roster.sections) {
    for (const person of section.members) {
      if (!people.some((p) => sameEmail(p.email, person.email))) people.push({ ...person, section });
    }
  }
  return people;
}

/** Who leaves and who joins when a municipality's members change (by e-mail address). */
export function memberChange(before: Person[], after: Person[]): { leaving: Person[]; joining: Person[] } {
  return {
    leaving: before.filter((b) => !after.some((a) => sameEmail(a.email, b.email))),
    joining: after.filter((a) => !before.some((b) => sameEmail(a.email, b.email))),
  };
}
