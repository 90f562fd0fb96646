/**
 * A group's start and its life after: activation with roster, plan and calendar; late
 * municipalities joining an active group; members replaced after the start; the round's end.
 *
 * Mail keys (scope `group:<id>` unless noted), each sent once:
 * - `welcome` to every member (a person is welcomed to a group once, whenever they join);
 * - `roster` to the organiser at the start;
 * - `group-started` to each municipality's presenter (scope: the municipality);
 * - `roster-update:<municipality>` to the organiser when a late municipality joins;
 * - `member-left:<municipality>:v<version>`, `member-joined:<municipality>:v<version>` and
 *   `roster-change:<municipality>:v<version>` for a replacement, keyed by the nomination's
 *   version after the change, so a second change to the same person is not taken for a retry.
 */
import {
  groupWelcomeMail,
  memberLeftMail,
  municipalityNoticeMail,
  rosterPlanMail,
} from '../domain/activation-texts.ts';
import { joinFi } from '../domain/finnish.ts';
import { meetingCalendar } from '../domain/meeting-calendar.ts';
import { type MeetingPlan, meetingPlan } from '../domain/meeting-plan.ts';
import {
  type GroupRoster,
  groupRoster,
  memberChange,
  municipalMembers,
  rosterPeople,
} from '../domain/roster.ts';
import { findGroup, findMunicipality, groupOf } from '../domain/round.ts';
import type {
  GroupState,
  Nomination,
  NominationStatus,
  PartnershipGroup,
  Person,
  Round,
} from '../domain/types.ts';
import type { Deps } from './deps.ts';
import { loadNomination, loadRound } from './load.ts';

/** A nomination in any other status is still running. */
const FINISHED: ReadonlySet<NominationStatus> = new Set([
  'completed',
  'no_answer',
  'rejected',
  'failed',
  'cancelled',
]);

interface GroupContext {
  round: Round;
  group: PartnershipGroup;
  plan: MeetingPlan;
  ics: string;
}

function groupContext(round: Round, group: PartnershipGroup, stamp: Date): GroupContext {
  const plan = meetingPlan(round.startDate, round.meetingsPerYear);
  const ics = meetingCalendar({
    plan,
    roundId: round.id,
    groupId: group.id,
    groupName: group.name,
    organiser: round.organiser,
    stamp,
  });
  return { round, group, plan, ics };
}

/** The group's municipal members as the nominations have them now. */
function currentMembers(group: PartnershipGroup, nominations: Nomination[]): GroupState['members'] {
  const byMunicipality = new Map(nominations.map((n) => [n.municipalityId, n]));
  return municipalMembers(group, (id) => byMunicipality.get(id)?.members);
}

async function welcome(
  ctx: GroupContext,
  roster: GroupRoster,
  people: Person[],
  deps: Pick<Deps, 'mailer'>,
  purpose = 'welcome',
  replacing?: Person[],
): Promise<void> {
  for (const member of people) {
    await deps.mailer.sendOnce(
      { roundId: ctx.round.id, scope: `group:${ctx.group.id}`, purpose, recipient: member.email },
      groupWelcomeMail({ round: ctx.round, roster, plan: ctx.plan, member, ics: ctx.ics, replacing }),
    );
  }
}

/**
 * A group starts.
 * 1. Its members: the organiser's representatives, each decided municipality's members, the partners.
 * 2. The group becomes active with its municipal members (a retry finds it active).
 * 3. Welcome with roster, plan and .ics to each member; roster and plan to the organiser;
 *    a notice to each municipality's presenter, also to those that named no one.
 */
export async function activateGroup(
  ref: { roundId: string; groupId: string },
  deps: Deps,
): Promise<{ members: number; missing: string[] }> {
  const round = await loadRound(deps.store, ref.roundId);
  const group = findGroup(round, ref.groupId);
  const members = currentMembers(group, await deps.store.listNominations(ref.roundId));
  const stored = await deps.store.getGroup(ref.roundId, ref.groupId);
  if (stored?.status !== 'active') {
    await deps.store.saveGroup({
      roundId: ref.roundId,
      groupId: ref.groupId,
      status: 'active',
      members,
      activatedAt: deps.clock.now().toISOString(),
    });
  }

  const ctx = groupContext(round, group, deps.clock.now());
  const roster = groupRoster(round, group, members);
  await welcome(ctx, roster, rosterPeople(roster), deps);
  await deps.mailer.sendOnce(
    {
      roundId: round.id,
      scope: `group:${group.id}`,
      purpose: 'roster',
      recipient: round.organiser.registryEmail,
    },
    rosterPlanMail({ round, roster, plan: ctx.plan, ics: ctx.ics }),
  );
  for (const municipalityId of group.municipalityIds) {
    const municipality = findMunicipality(round, municipalityId);
    await deps.mailer.sendOnce(
      {
        roundId: round.id,
        scope: municipalityId,
        purpose: 'group-started',
        recipient: municipality.presenter.email,
      },
      municipalityNoticeMail({ round, roster, plan: ctx.plan, municipality }),
    );
  }
  return { members: members.length, missing: roster.missingMunicipalities };
}

/**
 * A municipality decided after its group started joins the active group: the group's
 * members are rewritten from the nominations, the new members are welcomed and the
 * organiser gets the updated roster. Does nothing while the group is still planned.
 * Returns whether the group was active.
 */
export async function joinActiveGroup(
  ref: { roundId: string; municipalityId: string },
  deps: Deps,
): Promise<boolean> {
  const round = await loadRound(deps.store, ref.roundId);
  const group = groupOf(round, ref.municipalityId);
  const stored = await deps.store.getGroup(ref.roundId, group.id);
  if (stored?.status !== 'active') return false;
  const members = currentMembers(group, await deps.store.listNominations(ref.roundId));
  await deps.store.saveGroup({ ...stored, members });

  const ctx = groupContext(round, group, deps.clock.now());
  const roster = groupRoster(round, group, members);
  const joined = members.filter((m) => m.municipalityId === ref.municipalityId);
  const municipality = findMunicipality(round, ref.municipalityId);
  await welcome(ctx, roster, joined, deps);
  await deps.mailer.sendOnce(
    {
      roundId: round.id,
      scope: `group:${group.id}`,
      purpose: `roster-update:${ref.municipalityId}`,
      recipient: round.organiser.registryEmail,
    },
    rosterPlanMail({
      round,
      roster,
      plan: ctx.plan,
      ics: ctx.ics,
      change: joined.length
        ? `${municipality.name} nimesi ryhmään ${joinFi(joined.map((m) => m.name))}.`
        : `${municipality.name} ei nimennyt ryhmään ketään.`,
    }),
  );
  return true;
}

/**
 * A new decision replaces a municipality's members.
 * 1. Who leaves and who joins, by e-mail address, against the nomination's members.
 * 2. If the group is active: the one who joins gets the welcome (roster, plan, .ics), the
 *    one who leaves a farewell, the organiser the changed roster; keyed by the nomination's
 *    next version, so a retry sends nothing twice.
 * 3. The nomination's members, then the group's roster, are written.
 *
 * Called by sendCorrection (correct-decision.ts) once the members are recorded.
 */
export async function applyMemberChange(
  ref: { roundId: string; municipalityId: string },
  members: Person[],
  deps: Deps,
): Promise<{ leaving: Person[]; joining: Person[] }> {
  const { round, group, municipality, nomination } = await loadNomination(
    deps.store,
    ref.roundId,
    ref.municipalityId,
  );
  const change = memberChange(nomination.members ?? [], members);
  const stored = await deps.store.getGroup(ref.roundId, group.id);
  const active = stored?.status === 'active';
  const version = nomination.version + 1;

  if (active && (change.leaving.length > 0 || change.joining.length > 0)) {
    const others = await deps.store.listNominations(ref.roundId);
    const after = currentMembers(
      group,
      others.map((n) => (n.municipalityId === ref.municipalityId ? { ...n, members } : n)),
    );
    const ctx = groupContext(round, group, deps.clock.now());
    const roster = groupRoster(round, group, after);
    const key = `${ref.municipalityId}:v${version}`;
    await welcome(ctx, roster, change.joining, deps, `member-joined:${key}`, change.leaving);
    for (const member of change.leaving) {
      await deps.mailer.sendOnce(
        {
          roundId: round.id,
          scope: `group:${group.id}`,
          purpose: `member-left:${key}`,
          recipient: member.email,
        },
        memberLeftMail({ round, roster, municipality, member, successors: change.joining }),
      );
    }
    const described = [
      change.leaving.length &&
        `${municipality.name}: ryhmästä eroaa ${joinFi(change.leaving.map((p) => p.name))}`,
      change.joining.length && `ryhmään tulee ${joinFi(change.joining.map((p) => p.name))}`,
    ].filter(Boolean);
    await deps.mailer.sendOnce(
      {
        roundId: round.id,
        scope: `group:${group.id}`,
        purpose: `roster-change:${key}`,
        recipient: round.organiser.registryEmail,
      },
      rosterPlanMail({ round, roster, plan: ctx.plan, ics: ctx.ics, change: `${described.join(', ')}.` }),
    );
  }

  if (change.leaving.length > 0 || change.joining.length > 0 || !sameList(nomination.members, members)) {
    await deps.store.saveNomination({
      ...nomination,
      members,
      updatedAt: deps.clock.now().toISOString(),
      version,
    });
  }
  if (active && stored) {
    const nominations = await deps.store.listNominations(ref.roundId);
    await deps.store.saveGroup({ ...stored, members: currentMembers(group, nominations) });
  }
  return change;
}

function sameList(a: Person[] | undefined, b: Person[]): boolean {
  return JSON.stringify(a ?? []) === JSON.stringify(b);
}

/**
 * The round is completed when all its groups are active and no nomination still runs;
 * otherwise it is `activating` and the last late nomination completes it.
 */
export async function settleRound(
  roundId: string,
  deps: Pick<Deps, 'store'>,
): Promise<{ completed: boolean; groupsNotActive: string[]; nominationsRunning: string[] }> {
  const round = await loadRound(deps.store, roundId);
  const groups = await Promise.all(round.groups.map((g) => deps.store.getGroup(roundId, g.id)));
  const groupsNotActive = round.groups.filter((_, i) => groups[i]?.status !== 'active').map((g) => g.id);
  const nominationsRunning = (await deps.store.listNominations(roundId))
    .filter((n) => !FINISHED.has(n.status))
    .map((n) => n.municipalityId);
  const completed = groupsNotActive.length === 0 && nominationsRunning.length === 0;
  const stored = await deps.store.getRound(roundId);
  const status = completed
    ? 'completed'
    : groupsNotActive.length < round.groups.length
      ? 'activating'
      : 'running';
  if (stored?.status !== status) await deps.store.setRoundStatus(roundId, status);
  return { completed, groupsNotActive, nominationsRunning };
}
