import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { helsinkiDate } from '../../functions/domain/time.ts';
import type { Round } from '../../functions/domain/types.ts';
import { PROJECT_ROOT } from '../../infra/paths.ts';
import { createClients, shiftRoundDatesToToday } from '../../local/client.ts';
import { SesStore } from '../../local/ses-store.ts';
import { startEmbeddedStack } from '../../local/stack.ts';

interface DemoSummary {
  ok: boolean;
  roundStatus: string;
  nominationExecutions: { total: number; succeeded: number };
  mails: { expected: number; received: number; problems: string[] };
  members: number;
  groups: Array<{ id: string; status: string }>;
  calendars: number;
  timeline: Array<{ atMs: number; event: string }>;
}

/** `npm run demo`'s process: its JSON summary. */
function runDemo(env: Record<string, string>): Promise<DemoSummary> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'local/demo.ts', '--json'],
      { cwd: PROJECT_ROOT, env: { ...process.env, ...env }, timeout: 170_000 },
      (error, out, err) =>
        error
          ? reject(new Error(`${error.message}\n${err}\n${out}`))
          : resolve(JSON.parse(out) as DemoSummary),
    );
  });
}

describe('npm run demo', () => {
  it('plays the whole example round to the end: every execution SUCCEEDED, every mail exactly once', async () => {
    // act: the demo as a newcomer runs it. Port 1 for the probe: never use a developer's
    // running `npm start`; the demo then starts its own in-process stack on free ports.
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', 'local/demo.ts', '--json'],
        { cwd: PROJECT_ROOT, env: { ...process.env, NIMITYS_PORT_SFN: '1' }, timeout: 170_000 },
        (error, out, err) => (error ? reject(new Error(`${error.message}\n${err}\n${out}`)) : resolve(out)),
      );
    });

    // assess
    const summary = JSON.parse(stdout) as DemoSummary;
    expect(summary.mails.problems).toEqual([]);
    expect(summary).toMatchObject({ ok: true, roundStatus: 'SUCCEEDED' });
    expect(summary.nominationExecutions).toEqual({ total: 13, succeeded: 13 });
    expect(summary.mails.received).toBe(summary.mails.expected);
    // 13 municipalities × 3 links, the excerpts and copies, the welcomes, 3 rosters
    expect(summary.mails.expected).toBeGreaterThan(100);
    expect(summary.members).toBe(30); // 31 proposed, Joensuu's committee named one fewer
    // Every group started, and its .ics went with each welcome and each roster: the 30 members,
    // the county's 4 own representatives, the 7 partners and the organiser's 3 rosters.
    expect(summary.groups.map((g) => g.status)).toEqual(['active', 'active', 'active']);
    expect(summary.calendars).toBe(30 + 4 + 7 + 3);
    expect(
      summary.timeline.some((e) => /Liperi: committee secretary recorded the decision/.test(e.event)),
    ).toBe(true);
  }, 180_000);

  it('on a running stack, leaves alone the mails of another round of the same example started beside it', async () => {
    // arrange: a running stack, as `npm start` gives
    const stack = await startEmbeddedStack({ ports: { dynamodb: 0, ses: 0, sfn: 0, http: 0 } });
    const clients = createClients();
    try {
      const ports = {
        NIMITYS_PORT_DYNAMODB: String(stack.ports.dynamodb),
        NIMITYS_PORT_SES: String(stack.ports.ses),
        NIMITYS_PORT_SFN: String(stack.ports.sfn),
        NIMITYS_PORT_HTTP: String(stack.ports.http),
      };
      const example = parseYaml(
        readFileSync(path.join(PROJECT_ROOT, 'examples/pohjois-karjala-2024.yaml'), 'utf8'),
      ) as Round;
      const other = stringifyYaml({
        ...shiftRoundDatesToToday(example, helsinkiDate(new Date())),
        id: 'toinen-kierros',
      });

      // act: the demo, and a second round of the same example (same officials, same subjects)
      // started while the demo's round runs: its request mails come after the demo began
      const demo = runDemo(ports);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await clients.startRound(other);
      const summary = await demo;

      // assess: the demo played its own round alone and counted only its own mails
      expect(summary.mails.problems).toEqual([]);
      expect(summary).toMatchObject({ ok: true, roundStatus: 'SUCCEEDED' });
      expect(summary.mails.received).toBe(summary.mails.expected);
      // the other round's officials got their request links and nobody answered them
      const otherNominations = await clients.listNominations('toinen-kierros');
      expect(otherNominations).toHaveLength(13);
      expect(otherNominations.filter((n) => n.status === 'completed')).toEqual([]);
      const mails = await new SesStore(stack.urls.ses).mailsSince(0);
      expect(mails.length).toBeGreaterThan(summary.mails.received);
    } finally {
      clients.close();
      await stack.stop();
    }
  }, 180_000);
});
