/**
 * State names of both workflows. Kept free of aws-cdk-lib so that clients (demo, tests,
 * the embedded stack) can name states without loading the CDK.
 */
export const NominationStates = {
  /** First state: a retry's `resumeAt` picks the step to begin at (admin console). */
  ResumeAt: 'ResumeAt',
  PlanProposalWait: 'PlanProposalWait',
  ProposalDeadlinePassed: 'ProposalDeadlinePassed',
  RequestProposal: 'RequestProposal',
  PlanApprovalWait: 'PlanApprovalWait',
  ApprovalDeadlinePassed: 'ApprovalDeadlinePassed',
  RequestApproval: 'RequestApproval',
  ApprovalOutcome: 'ApprovalOutcome',
  PlanDecisionWait: 'PlanDecisionWait',
  DecisionDeadlinePassed: 'DecisionDeadlinePassed',
  RequestDecision: 'RequestDecision',
  DecisionOutcome: 'DecisionOutcome',
  /** Pöytäkirjan tarkastus: skipped when the municipality lists no minute checkers. */
  PlanMinuteCheckWait: 'PlanMinuteCheckWait',
  MinuteCheckDeadlinePassed: 'MinuteCheckDeadlinePassed',
  RequestMinuteCheck: 'RequestMinuteCheck',
  MinuteCheckOutcome: 'MinuteCheckOutcome',
  RecordRejected: 'RecordRejected',
  NominationRejected: 'NominationRejected',
  SendExcerpts: 'SendExcerpts',
  RecordMembers: 'RecordMembers',
  NominationCompleted: 'NominationCompleted',
  /** An admin recorded a corrected decision: corrected excerpt and member change (resumeAt 'correction'). */
  SendCorrection: 'SendCorrection',
  CorrectionSent: 'CorrectionSent',
  RecordNoAnswer: 'RecordNoAnswer',
  NoAnswer: 'NoAnswer',
  RecordFailure: 'RecordFailure',
  NominationFailed: 'NominationFailed',
} as const;

export const RoundStates = {
  RecordRound: 'RecordRound',
  RunNominations: 'RunNominations',
  StartNomination: 'StartNomination',
  NominationDidNotFinish: 'NominationDidNotFinish',
  WaitForStartDate: 'WaitForStartDate',
  ActivateGroups: 'ActivateGroups',
  ActivateGroup: 'ActivateGroup',
  CompleteRound: 'CompleteRound',
  RoundCompleted: 'RoundCompleted',
} as const;

/** Where a retried nomination execution begins (`$.resumeAt`; admin-actions.ts retryFailedStep). */
export type ResumePoint =
  | 'proposal'
  | 'approval'
  | 'decision'
  | 'minute_check'
  | 'excerpts'
  | 'members'
  | 'correction';
