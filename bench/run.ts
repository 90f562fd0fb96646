/**
 * npm run bench [-- PART …]: the benchmarks of issue 8, each reproducible from this one
 * command. Writes bench/results.json and bench/results.md. Progress goes to stderr.
 * Parts: floor, packages, national, links (all by default); the cost model comes from national.
 *
 * Each part runs in a process of its own: it starts its own embedded stack, and the
 * handlers' SDK clients are made once per process (as in a Lambda container), so a second
 * stack in the same process would find them pointing at the first one's closed ports.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../infra/paths.ts';
import { costOf } from './cost.ts';
import type { FloorResult } from './floor.ts';
import type { LinksResult } from './links.ts';
import type { NationalResult } from './national.ts';
import type { PackageResult } from './packages.ts';
import { type Results, renderMarkdown } from './report.ts';

const PARTS = ['floor', 'packages', 'national', 'links'] as const;
type Part = (typeof PARTS)[number];

let lastProgress = 0;
function progress(line: string): void {
  const now = Date.now();
  if (now - lastProgress < 250) return;
  lastProgress = now;
  process.stderr.write(`\r\x1b[2K${line.slice(0, 150)}`);
}
const done = (line: string) => process.stderr.write(`\r\x1b[2K${line}\n`);

/** Runs one part here and prints its result as JSON on stdout (the child's side). */
async function runPart(part: Part): Promise<unknown> {
  switch (part) {
    case 'floor': {
      const { errorKinds, runFloor } = await import('./floor.ts');
      const floor = await runFloor(progress);
      return { ...floor, replayErrorKinds: Object.fromEntries(errorKinds) };
    }
    case 'packages':
      return (await import('./packages.ts')).measurePackages(progress);
    case 'national':
      return (await import('./national.ts')).runNationalRound(progress);
    case 'links':
      return (await import('./links.ts')).runLinkLoad(progress);
  }
}

function runInChild(part: Part): Promise<unknown> {
  return new Promise((resolve, reject) => {
    // The same young generation as `npm start` (package.json): the embedded stack allocates many
    // short-lived objects (SDK requests, HTTP, JSON), and 32 MB semi-spaces instead of the default
    // 16 MB halve the scavenges: the national round 49-52 s -> 44 s here, peak RSS +20-30 MiB.
    const child = spawn(
      process.execPath,
      ['--max-semi-space-size=32', '--import', 'tsx', 'bench/run.ts', '--child', part],
      {
        cwd: PROJECT_ROOT,
        // Quiet handlers from the first import on: the child's stdout is the part's JSON only.
        env: { ...process.env, NIMITYS_LOG_LEVEL: 'silent' },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let stdout = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(JSON.parse(stdout)) : reject(new Error(`bench part ${part} exited ${code}`)),
    );
  });
}

const childIndex = process.argv.indexOf('--child');
if (childIndex >= 0) {
  const part = process.argv[childIndex + 1] as Part;
  process.stdout.write(JSON.stringify(await runPart(part)));
  process.exit(0);
}

const wanted = process.argv.slice(2).filter((a): a is Part => (PARTS as readonly string[]).includes(a));
const parts: readonly Part[] = wanted.length ? wanted : PARTS;
const results: Results = {
  machine: {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  },
  date: new Date().toISOString(),
};

for (const part of parts) {
  const result = await runInChild(part);
  if (part === 'floor') {
    const floor = result as FloorResult;
    results.floor = floor;
    done(
      `floor: full ${floor.fullMedianMs.toFixed(0)} ms vs floor ${floor.floorMedianMs.toFixed(0)} ms = ${floor.ratio.toFixed(2)}× (median of ${floor.runs}; ${floor.replayErrors} replay errors)`,
    );
  }
  if (part === 'packages') {
    results.packages = result as PackageResult[];
    const packages = results.packages.filter((p) => !p.reference);
    const largest = packages.reduce((a, b) => (a.bytes > b.bytes ? a : b));
    const slowest = packages.reduce((a, b) => (a.importMs > b.importMs ? a : b));
    done(
      `packages: ${packages.length} functions, largest ${largest.function} ${(largest.bytes / 1024).toFixed(0)} KB, slowest import ${slowest.function} ${slowest.importMs.toFixed(0)} ms`,
    );
  }
  if (part === 'national') {
    const national = result as NationalResult;
    results.national = national;
    results.cost = costOf(national);
    done(
      `national round: ${national.wallSeconds.toFixed(1)} s, ${national.executions.succeeded}/${national.executions.rounds + national.executions.nominations} executions SUCCEEDED, ${national.mails.received}/${national.mails.expected} mails, peak RSS ${national.peakRssMiB.toFixed(0)} MiB`,
    );
    done(
      `cost: ${results.cost.perNominationEurCents.toFixed(3)} euro cents per nomination, ${results.cost.perRoundEur.toFixed(2)} € per national round`,
    );
  }
  if (part === 'links') {
    const links = result as LinksResult;
    results.links = links;
    done(
      `links: GET ${links.get.c10.requestsPerSecond.toFixed(0)} req/s p99 ${links.get.c10.p99Ms} ms (reference ${links.reference.c10.requestsPerSecond.toFixed(0)} req/s, p99 ${links.reference.c10.p99Ms} ms); POST p99 ${links.posts.p99Ms.toFixed(0)} ms; race ${links.race.accepted}/${links.race.racers} accepted`,
    );
  }
}

writeFileSync(path.join(PROJECT_ROOT, 'bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(path.join(PROJECT_ROOT, 'bench', 'results.md'), `${renderMarkdown(results)}\n`);
