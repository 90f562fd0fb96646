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
}

export interface Organiser {
  /** e.g. "Pohjois-Karjalan hyvinvointialue" */
  name: string;
  /** Registry address where the excerpts (ote) go. */
  registryEmail: string;
  /** Who answers questions about the round. */
  contact: Person;
}

export interface PartnershipGroup {
  id: string;
  name: string;
  municipalityIds: string[];
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
  groups: PartnershipGroup[];
  municipalities: Municipality[];
}

/** The steps an official acts on through a link. */
export type OfficialStep = 'proposal' | 'approval' | 'decision';

export type NominationStatus =
  | 'pending' // recorded with the round, request not yet sent
  | 'awaiting_proposal'
  | 'awaiting_approval'
  | 'awaiting_decision'
  | 'decided'
  | 'excerpts_sent'
  | 'completed'
  | 'no_answer'
  | 'failed';

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
  /** The decided members, recorded after the excerpts went out. */
  members?: Person[];
  failure?: { error: string; cause: string; at: string };
  updatedAt: string;
  /** Optimistic-lock counter: every write checks and bumps it. */
  version: number;
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
