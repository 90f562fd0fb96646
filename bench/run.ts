/**
 * npm run bench [-- PART …]: the benchmarks of issue 8, each reproducible from this one
 * command. Writes bench/results.json and bench/results.md. Progress goes to stderr.
 * Parts: packages, national, links, floor (all by default); cost comes from national.
 */
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../infra/paths.ts';
import { costOf } from './cost.ts';
import { errorKinds, runFloor } from './floor.ts';
import { runLinkLoad } from './links.ts';
import { runNationalRound } from './national.ts';
import { measurePackages } from './packages.ts';
import { type Results, renderMarkdown } from './report.ts';

const PARTS = ['packages', 'national', 'links', 'floor'] as const;
type Part = (typeof PARTS)[number];
const wanted = process.argv.slice(2).filter((a): a is Part => (PARTS as readonly string[]).includes(a));
const parts: readonly Part[] = wanted.length ? wanted : PARTS;

let lastProgress = 0;
function progress(line: string): void {
  const now = Date.now();
  if (now - lastProgress < 250) return;
  lastProgress = now;
  process.stderr.write(`\r\x1b[2K${line.slice(0, 150)}`);
}
const done = (line: string) => process.stderr.write(`\r\x1b[2K${line}\n`);

const results: Record<string, unknown> = {
  machine: {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  },
  date: new Date().toISOString(),
};

if (parts.includes('floor')) {
  const floor = await runFloor(progress);
  results.floor = { ...floor, replayErrorKinds: Object.fromEntries(errorKinds) };
  done(
    `floor: full ${floor.fullMedianMs.toFixed(0)} ms vs floor ${floor.floorMedianMs.toFixed(0)} ms = ${floor.ratio.toFixed(2)}× (median of ${floor.runs}; ${floor.replayErrors} replay errors)`,
  );
}

if (parts.includes('packages')) {
  const packages = await measurePackages(progress);
  results.packages = packages;
  const largest = packages.reduce((a, b) => (a.bytes > b.bytes ? a : b));
  const slowest = packages.reduce((a, b) => (a.importMs > b.importMs ? a : b));
  done(
    `packages: ${packages.length} functions, largest ${largest.function} ${(largest.bytes / 1024).toFixed(0)} KB, slowest import ${slowest.function} ${slowest.importMs.toFixed(0)} ms`,
  );
}

if (parts.includes('national')) {
  const national = await runNationalRound(progress);
  results.national = national;
  done(
    `national round: ${national.wallSeconds.toFixed(1)} s, ${national.executions.succeeded}/${national.executions.rounds + national.executions.nominations} executions SUCCEEDED, ${national.mails.received}/${national.mails.expected} mails, peak RSS ${national.peakRssMiB.toFixed(0)} MiB`,
  );
}

if (results.national) {
  const cost = costOf(results.national as Awaited<ReturnType<typeof runNationalRound>>);
  results.cost = cost;
  done(
    `cost: ${cost.perNominationEurCents.toFixed(3)} euro cents per nomination, ${cost.perRoundEur.toFixed(2)} € per national round`,
  );
}

if (parts.includes('links')) {
  const links = await runLinkLoad(progress);
  results.links = links;
  done(
    `links: GET ${links.get.c10.requestsPerSecond.toFixed(0)} req/s p99 ${links.get.c10.p99Ms} ms (reference ${links.reference.c10.requestsPerSecond.toFixed(0)} req/s, p99 ${links.reference.c10.p99Ms} ms); POST p99 ${links.posts.p99Ms.toFixed(0)} ms; race ${links.race.accepted}/${links.race.racers} accepted`,
  );
}

writeFileSync(path.join(PROJECT_ROOT, 'bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(
  path.join(PROJECT_ROOT, 'bench', 'results.md'),
  `${renderMarkdown(results as unknown as Results)}\n`,
);
process.exit(0);
