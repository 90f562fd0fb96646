/** bench/results.md: the figures of bench/results.json, readable, with their targets. */
import type { CostModel } from './cost.ts';
import type { FloorResult } from './floor.ts';
import type { LinksResult } from './links.ts';
import type { NationalResult } from './national.ts';
import type { PackageResult } from './packages.ts';

export interface Results {
  machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string; platform: string };
  date: string;
  floor?: FloorResult;
  national?: NationalResult;
  cost?: CostModel;
  links?: LinksResult;
  packages?: PackageResult[];
}

const mark = (ok: boolean) => (ok ? '✅' : '❌');
/** Whether every loop ended within the time the stack holds workflow work back. */
const within = (loopSeconds: number[], holdBackMs: number) =>
  loopSeconds.every((seconds) => seconds * 1000 <= holdBackMs) ? 'each within' : 'not all within';
const n = (value: number, digits = 0) =>
  value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export function renderMarkdown(r: Results): string {
  const out: string[] = [
    '# Nimitys benchmarks',
    '',
    `Run ${r.date} on ${r.machine.cpus} × ${r.machine.cpuModel}, ${r.machine.memoryGiB} GiB, Node ${r.machine.node} (${r.machine.platform}). Reproduce: \`npm run bench\` (or \`npm run bench -- national\` etc.).`,
    '',
  ];
  if (r.floor) {
    const f = r.floor;
    out.push(
      '## 1. Overhead over the floor (the Liperi case)',
      '',
      `Median of ${f.runs} runs. Full stack ${n(f.fullMedianMs, 1)} ms, floor ${n(f.floorMedianMs, 1)} ms: **${n(f.ratio, 2)}×** (target ≤ 2×) ${mark(f.ratio <= 2)}.`,
      `Replayed per run: ${f.replayed.dynamo} DynamoDB requests, ${f.replayed.ses} SES sends, ${f.replayed.http} link requests.`,
      '',
    );
  }
  if (r.national) {
    const x = r.national;
    out.push(
      '## 2. National round',
      '',
      `${x.organisers} organisers, ${x.municipalities} municipalities, ${x.people} nominees; every official through the real link pages (GET then POST).`,
      '',
      '| figure | value | target |',
      '|---|---|---|',
      `| wall time | ${n(x.wallSeconds, 1)} s | < 60 s ${mark(x.wallSeconds < 60)} |`,
      `| peak RSS (stack and driver in one process) | ${n(x.peakRssMiB)} MiB | < 1024 MiB ${mark(x.peakRssMiB < 1024)} |`,
      `| executions SUCCEEDED | ${x.executions.succeeded} / ${x.executions.rounds + x.executions.nominations} | all ${mark(x.executions.succeeded === x.executions.rounds + x.executions.nominations)} |`,
      `| mails in the SES store | ${x.mails.received} / ${x.mails.expected} expected, ${x.mails.duplicates} duplicates | exactly once ${mark(x.mails.received === x.mails.expected && x.mails.duplicates === 0)} |`,
      `| state transitions | ${n(x.executions.stateTransitions)} | |`,
      `| DynamoDB requests | ${n(x.counters.dynamo.requests)} (${n(x.counters.dynamo.readUnits)} RRU, ${n(x.counters.dynamo.writeUnits)} WRU) | |`,
      `| link pages | ${x.links.gets} GET (median ${n(x.links.medianGetMs)} ms), ${x.links.posts} POST (median ${n(x.links.medianPostMs)} ms) | |`,
      '',
    );
  }
  if (r.cost) {
    const c = r.cost;
    out.push(
      '## 5. AWS cost model (from the national run)',
      '',
      '| item | quantity | USD |',
      '|---|---|---|',
      ...c.lines.map((line) => `| ${line.item} | ${n(line.quantity, 1)} | ${line.usd.toFixed(4)} |`),
      `| **total** | | **${c.totalUsd.toFixed(4)}** |`,
      '',
      `Per nomination: **${c.perNominationEurCents.toFixed(3)} euro cents** (target < 0.5) ${mark(c.perNominationEurCents < 0.5)}; per national round ${c.perRoundEur.toFixed(2)} €. Prices: ${c.prices.source}; ${c.eurPerUsd} EUR/USD.`,
      '',
    );
  }
  if (r.links) {
    const l = r.links;
    const row = (name: string, f: LinksResult['get']['c10']) =>
      `| ${name} | ${n(f.requestsPerSecond)} | ${n(f.p50Ms)} | ${n(f.p99Ms)} | ${f.errors + f.non2xx} |`;
    out.push(
      '## 3. Link pages under load (each GET figure the mean of 2 windows of 10 s, page and reference alternated)',
      '',
      '| load | req/s | p50 ms | p99 ms | errors |',
      '|---|---|---|---|---|',
      row('link page GET, 10 clients', l.get.c10),
      row('link page GET, 50 clients', l.get.c50),
      row('reference GET, 10 clients', l.reference.c10),
      row('reference GET, 50 clients', l.reference.c50),
      '',
      ...(l.windows
        ? [
            `- The windows, req/s in the order run: ${(['c10', 'c50'] as const)
              .map(
                (c) =>
                  `${c === 'c10' ? 10 : 50} clients page ${l.windows.page[c].map((f) => n(f.requestsPerSecond)).join(', ')}, reference ${l.windows.reference[c].map((f) => n(f.requestsPerSecond)).join(', ')}`,
              )
              .join('; ')}.`,
          ]
        : []),
      `- GET throughput ${n(l.targets.getThroughputRatio, 2)}× the reference (target ≥ 0.8) ${mark(l.targets.getThroughputRatio >= 0.8)}; p99 ${n(l.targets.getP99Ratio, 2)}× (target ≤ 1.5) ${mark(l.targets.getP99Ratio <= 1.5)}.`,
      `- ${l.posts.count} POSTs of distinct links at ${l.posts.concurrency} clients, counted in ${l.posts.loopSeconds.length} loops of ${l.posts.count / l.posts.loopSeconds.length} (after ${l.posts.warmUp} uncounted ones to warm the submit up; before each loop a pause for the workflow to settle), ${l.posts.loopSeconds.map((s) => n(s, 1)).join(' and ')} s, ${within(l.posts.loopSeconds, l.posts.workflowHoldBackMs)} the ${n(l.posts.workflowHoldBackMs / 1000, 0)} s for which the stack holds workflow work back for people: p50 ${n(l.posts.p50Ms)} ms, p99 ${n(l.posts.p99Ms)} ms = ${n(l.targets.postP99VsReferenceGetP99, 2)}× the reference GET p99 (target ≤ 3) ${mark(l.targets.postP99VsReferenceGetP99 <= 3)}; ${l.posts.failures} failures.`,
      `- Then ${l.posts.sustained.count} POSTs more, straight on after the last counted loop (no pause), for ${n(l.posts.sustained.seconds, 1)} s: the workflow work of the counted POSTs, held back for people at most ${n(l.posts.workflowHoldBackMs / 1000, 0)} s, comes due meanwhile, and then that of these, on the same two cores. Sustained load: p50 ${n(l.posts.sustained.p50Ms)} ms, p99 ${n(l.posts.sustained.p99Ms)} ms = ${n(l.posts.sustained.p99Ms / l.reference.c10.p99Ms, 2)}× the reference GET p99; ${l.posts.sustained.failures} failures.`,
      `- The POSTs' floor: ${l.posts.floor.count} more links (after ${l.posts.floor.warmUp} uncounted ones, in ${l.posts.floor.loopSeconds.length} loops each from a settled stack, as the counted POSTs) submitted to the reference server, whose POST makes only the requests of the page's submit, in its order: the link with the nomination and the step's wait (one read: the form says where the link acts), the claim, the nomination saved, its audit entry, SendTaskSuccess. p50 ${n(l.posts.floor.p50Ms)} ms, p99 ${n(l.posts.floor.p99Ms)} ms = ${n(l.posts.floor.p99Ms / l.reference.c10.p99Ms, 2)}× the reference GET p99; the link pages' counted POSTs have ${n(l.posts.p99Ms / l.posts.floor.p99Ms, 2)}× this floor's p99. ${l.posts.floor.failures} failures.`,
      `- ${l.race.racers} POSTs of one link racing: ${l.race.accepted} accepted, ${l.race.refusedAsUsed} told "already done" (410), ${l.race.other} other ${mark(l.race.accepted === 1 && l.race.other === 0)}.`,
      '',
    );
  }
  if (r.packages) {
    out.push(
      '## 4. Lambda packages (esbuild, ESM, minified, SDK bundled)',
      '',
      "Bundled as `cdk deploy` bundles them (infra/bundle-function.ts). Cold import: `await import()` of the bundle in a fresh Node process with the function's environment from the template; median of 15, taken in rounds over all functions after every bundle is built; the range is the fastest and the slowest round.",
      '',
      '| function | size KB | cold import ms | range ms | largest contributors (KB) |',
      '|---|---|---|---|---|',
      ...r.packages.map((p) => {
        const largest = p.largest.map((l) => `${l.module} ${n(l.bytes / 1024)}`).join(', ');
        const range = p.importRangeMs ? `${n(p.importRangeMs[0])}–${n(p.importRangeMs[1])}` : '';
        return p.reference
          ? `| _reference: ${p.function}_ | ${n(p.bytes / 1024)} | ${n(p.importMs)} | ${range} | ${largest} |`
          : `| ${p.function} | ${n(p.bytes / 1024)} ${mark(p.bytes < 500 * 1024)} | ${n(p.importMs)} ${mark(p.importMs < 100)} | ${range} | ${largest} |`;
      }),
      '',
      'The references are not functions: an empty module and the DynamoDB client alone, bundled and imported the same way in the same rounds, for the scale of this machine at the time.',
      '',
    );
  }
  return out.join('\n');
}
