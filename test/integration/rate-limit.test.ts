/**
 * The link pages' per-client rate limit on the embedded stack: the same handler, table and
 * HTTP bridge as the other suites, with a limit of 5 requests a minute.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoClient } from '../../functions/adapters/clients.ts';
import { type EmbeddedStack, startEmbeddedStack } from '../../local/stack.ts';

describe('the link pages under a per-client rate limit', () => {
  let stack: EmbeddedStack;

  beforeAll(async () => {
    stack = await startEmbeddedStack({
      ports: { dynamodb: 0, ses: 0, sfn: 0, http: 0 },
      linkRateLimitPerMinute: 5,
    });
  }, 180_000);
  afterAll(() => stack?.stop());

  it("answers a client's sixth request in a minute with 429 in Finnish, and keeps no address", async () => {
    // act: six requests for an unknown (well-formed) token from one client
    const url = `${stack.urls.http}/l/${'A'.repeat(43)}`;
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 6; i++) {
      last = await fetch(url);
      statuses.push(last.status);
    }
    // assess: five answered (404: no such link), the sixth refused until the minute is over
    expect(statuses).toEqual([404, 404, 404, 404, 404, 429]);
    expect(last?.headers.get('retry-after')).toBe('60');
    expect(await last?.text()).toContain('Liian monta pyyntöä');
    const { Items = [] } = await dynamoClient().send(
      new ScanCommand({
        TableName: 'nimitys',
        FilterExpression: 'kind = :k',
        ExpressionAttributeValues: { ':k': 'rate' },
      }),
    );
    expect(Items).toHaveLength(1);
    expect(Items[0]).toMatchObject({ hits: 5, pk: expect.stringMatching(/^RATE#[0-9a-f]{32}$/) });
    expect(Number(Items[0]?.expiresAtEpoch)).toBeGreaterThan(Date.now() / 1000);
    expect(JSON.stringify(Items)).not.toContain('127.0.0.1');
  });
});
