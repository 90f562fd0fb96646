import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../infra/paths.ts';

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
});
