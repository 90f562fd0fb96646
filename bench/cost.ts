/**
 * The AWS bill of a national round, from what the national run counted: state transitions,
 * Lambda invocations and their measured durations, DynamoDB request units, mails, HTTP
 * requests. Prices are public list prices in USD (AWS pricing pages for Step Functions
 * Standard, Lambda arm64, DynamoDB on-demand after its November 2024 price cut, SES,
 * API Gateway HTTP APIs), recalled on 2026-11-27 without network access: check them
 * before quoting a budget. Free tiers are ignored (a county pays for its own account).
 */
import type { NationalResult } from './national.ts';

export const PRICES_USD = {
  source:
    'AWS public list prices (us-east-1, which eu-north-1 matches for these services within a few %), as recalled 2026-11-27',
  stepFunctionsPerStateTransition: 0.025 / 1000,
  lambdaPerRequest: 0.2 / 1_000_000,
  lambdaArmPerGbSecond: 0.0000133334,
  dynamoPerWriteUnit: 0.625 / 1_000_000,
  dynamoPerReadUnit: 0.125 / 1_000_000,
  sesPerMail: 0.1 / 1000,
  httpApiPerRequest: 1.0 / 1_000_000,
} as const;
export const EUR_PER_USD = 0.92; // ECB reference rate level of 2025, recalled
export const LAMBDA_MEMORY_GB = 0.5; // NodeFunction's memorySize: 512 MB

export interface CostModel {
  prices: typeof PRICES_USD;
  eurPerUsd: number;
  lines: Array<{ item: string; quantity: number; usd: number }>;
  totalUsd: number;
  perNominationEurCents: number;
  perRoundEur: number;
}

export function costOf(national: NationalResult): CostModel {
  const { counters } = national;
  const invocations = Object.values(counters.invocations);
  const requests = invocations.reduce((sum, i) => sum + i.count, 0);
  // Lambda bills each invocation's duration rounded up to the millisecond.
  const gbSeconds = invocations.reduce((sum, i) => sum + (Math.ceil(i.totalMs) / 1000) * LAMBDA_MEMORY_GB, 0);
  const httpRequests = national.links.gets + national.links.posts;
  const lines = [
    {
      item: 'Step Functions state transitions',
      quantity: national.executions.stateTransitions,
      usd: national.executions.stateTransitions * PRICES_USD.stepFunctionsPerStateTransition,
    },
    { item: 'Lambda requests', quantity: requests, usd: requests * PRICES_USD.lambdaPerRequest },
    {
      item: 'Lambda GB-seconds (arm64, 512 MB)',
      quantity: gbSeconds,
      usd: gbSeconds * PRICES_USD.lambdaArmPerGbSecond,
    },
    {
      item: 'DynamoDB write request units',
      quantity: counters.dynamo.writeUnits,
      usd: counters.dynamo.writeUnits * PRICES_USD.dynamoPerWriteUnit,
    },
    {
      item: 'DynamoDB read request units',
      quantity: counters.dynamo.readUnits,
      usd: counters.dynamo.readUnits * PRICES_USD.dynamoPerReadUnit,
    },
    { item: 'SES mails', quantity: counters.sesSends, usd: counters.sesSends * PRICES_USD.sesPerMail },
    { item: 'HTTP API requests', quantity: httpRequests, usd: httpRequests * PRICES_USD.httpApiPerRequest },
  ];
  const totalUsd = lines.reduce((sum, line) => sum + line.usd, 0);
  return {
    prices: PRICES_USD,
    eurPerUsd: EUR_PER_USD,
    lines,
    totalUsd,
    perNominationEurCents: ((totalUsd * EUR_PER_USD) / national.municipalities) * 100,
    perRoundEur: totalUsd * EUR_PER_USD,
  };
}
