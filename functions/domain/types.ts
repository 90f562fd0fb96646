/**
 * The nouns of the nomination process. Pure data: no AWS, no process.env.
 *
 * A county (the organiser) runs a round; each municipality of the round gets one
 * nomination; officials move it forward through e-mailed links.
 */

/** A named official or nominee with work contact details. */
export interface Person {
  name: string;
  title: string;
  email: string;
  /** Work phone, as written by the person (e.g. "040 834 7185"). */
  phone?: string;
}

/** The body that decides the item, e.g. hyvinvointilautakunta. */
export interface DecidingBody {
  name: string;
  secretaryEmail: string;
  /** The secretary (pöytäkirjanpitäjä) who certifies excerpts, e.g. "Anna Esimerkki". */
  secretaryName?: string;
  /** e.g. "hallintosihteeri". */
  secretaryTitle?: string;
}

export interface Municipality {
  /** Stable ASCII id used in keys and execution names, e.g. "liperi", "raakkyla". */
  id: string;
  /** Name in Finnish, nominative, e.g. "Rääkkylä". */
  name: string;
  /** Registry (kirjaamo) address: where the county's request goes. */
  registryEmail: string;
  /** Municipal board (kunnanhallitus) address: gets the excerpt for information. */
  boardEmail: string;
  /** Valmistelija: fills in the proposal. */
  preparer: Person;
  /** Esittelijä: approves the proposal for the committee; the excerpt's contact. */
  presenter: Person;
  body: DecidingBody;
  /** Postal address of the municipality's registry, for the appeal instructions. */
  postalAddress?: string;
  /**
   * Pöytäkirjantarkastajat: when listed, each approves the decision's section of the
   * minutes through a link of their own, and the excerpt goes out only after all have.
   */
  minuteCheckers?: MinuteChecker[];
}

/** A minute checker: usually an elected committee member, so the title is optional. */
export interface MinuteChecker {
  name: string;
  email: string;
  title?: string;
}

export interface Organiser {
  /** e.g. "Pohjois-Karjalan hyvinvointialue" */
  name: string;
  /** Registry address where the excerpts (ote) go. */
  registryEmail: string;
  /** Who answers questions about the round. */
  contact: Person;
}

/** A member of a group who does not represent a municipality: the county's own people, partners. */
export interface Partner extends Person {
  /** e.g. "Pohjois-Karjalan maakuntaliitto", "Liperin seurakunta". */
  organisation: string;
}

export interface PartnershipGroup {
  id: string;
  name: string;
  municipalityIds: string[];
  /** The organiser's own representatives in the group (organisation: the organiser). */
  representatives?: Person[];
  /** Other members named by the organiser: regional council, organisations, parishes, businesses. */
  partners?: Partner[];
}

export interface SeatLimits {
  min: number;
  max: number;
}

/** A validated round definition, as stored. Dates are ISO calendar dates (YYYY-MM-DD), Finnish time. */
export interface Round {
  id: string;
  /** The item's title, e.g. "Edustajien nimeäminen alueellisiin kumppanuusryhmiin". */
  title: string;
  /** The request and its background (the case text of the minute). */
  caseText: string;
  organiser: Organiser;
  seats: SeatLimits;
  /** The day the request is sent. */
  requestDate: string;
  /** Last day for the municipalities' answers (end of that day, Europe/Helsinki). */
  deadline: string;
  /** The groups start on this day (start of that day, Europe/Helsinki). */
  startDate: string;
  meetingsPerYear: number;
  /** Days before the answer deadline on which whoever the nomination waits on is reminded (default 7 and 2). */
  reminderDays?: number[];
  groups: PartnershipGroup[];
  municipalities: Municipality[];
}

/** The steps an official acts on through a link. */
export type OfficialStep = 'proposal' | 'approval' | 'decision' | 'minute_check';

/** Every official step, in the order a nomination goes through them. */
export const OFFICIAL_STEPS: readonly OfficialStep[] = ['proposal', 'approval', 'decision', 'minute_check'];

export const isOfficialStep = (value: string): value is OfficialStep =>
  (OFFICIAL_STEPS as readonly string[]).includes(value);

export type NominationStatus =
  | 'pending' // recorded with the round, request not yet sent
  | 'awaiting_proposal'
  | 'awaiting_approval'
  | 'awaiting_decision'
  | 'awaiting_minute_check' // decided; the minute checkers have not all approved yet
  | 'decided'
  | 'excerpts_sent'
  | 'completed'
  | 'no_answer'
  | 'rejected' // the committee rejected the proposal: no members
  | 'failed'
  | 'cancelled'; // an admin cancelled it, with a reason (Nomination.cancelled)

export interface Proposal {
  nominees: Person[];
  /** Päätösehdotus, as the preparer left it. */
  text: string;
  submittedAt: string;
  submittedBy: string;
}

export type DecisionOutcome = 'adopted' | 'adopted_with_changes';

export interface Decision {
  outcome: DecisionOutcome;
  /** Meeting date, YYYY-MM-DD. */
  meetingDate: string;
  /** Section (pykälä) number, e.g. "87". */
  section: string;
  /** Päätös, e.g. "Hyväksyttiin päätösehdotus." */
  text: string;
  /** Asianumero (diary number), if the municipality uses one, e.g. "LIPDno-2023-1234". */
  diaryNumber?: string;
  /** The nominees as decided: the proposal's or, with changes, the committee's own list. */
  nominees: Person[];
  decidedAt: string;
  recordedBy: string;
}

export interface Nomination {
  roundId: string;
  municipalityId: string;
  groupId: string;
  status: NominationStatus;
  proposal?: Proposal;
  approval?: { approvedAt: string; approvedBy: string };
  decision?: Decision;
  /**
   * Decisions replaced by a correction after their excerpts went out (oldest first);
   * `decision` is the one in force (use-cases/correct-decision.ts).
   */
  previousDecisions?: Decision[];
  /** The last time the item was sent back to the preparer (by the presenter or the committee). */
  returned?: {
    from: 'approval' | 'decision';
    comment: string;
    at: string;
    by: string;
    byName: string;
    meetingDate?: string;
    section?: string;
  };
  /** The committee tabled the item (pöydälle): the decision is recorded after the next meeting. */
  tabled?: { meetingDate: string; section: string; nextMeetingDate: string; at: string; by: string };
  /** The committee rejected the proposal: the nomination ends with no members. */
  rejection?: { meetingDate: string; section: string; text: string; at: string; by: string };
  /** Checking of the decision's minutes (only when the municipality lists minute checkers). */
  minuteCheck?: MinuteCheck;
  /** The decided members, recorded after the excerpts went out. */
  members?: Person[];
  failure?: { error: string; cause: string; at: string };
  /** Set when an admin cancelled the nomination (status 'cancelled'). */
  cancelled?: { reason: string; at: string; by: string };
  /**
   * Per-nomination answer deadline (YYYY-MM-DD, end of that day in Helsinki) set by an
   * admin to extend the round's deadline for this municipality; replaces `Round.deadline`
   * for this nomination's waits, reminders and links when set.
   */
  deadline?: string;
  updatedAt: string;
  /** Optimistic-lock counter: every write checks and bumps it. */
  version: number;
}

/** The minute checkers' approvals of one recorded decision. */
export interface MinuteCheck {
  /** The decision being checked (its `decidedAt`): a new decision starts the checking anew. */
  decidedAt: string;
  /** Who must approve: the round file's checkers, or a substitute one of them handed the link to. */
  checkers: Array<Pick<Person, 'name' | 'email'>>;
  approvals: Array<{ email: string; name: string; at: string }>;
  /** A checker found something to correct: the decision goes back to the committee secretary. */
  objection?: { comment: string; at: string; by: string; byName: string };
}

export type GroupStatus = 'planned' | 'active';

export interface GroupState {
  roundId: string;
  groupId: string;
  status: GroupStatus;
  members: Array<Person & { municipalityId: string }>;
  activatedAt?: string;
}

export type RoundStatus = 'running' | 'activating' | 'completed';
