// `npm run bench`: snapcopy against a plain script on the local emulator, scenario by scenario (issue 7).
// Starts its own Temporal dev server, AWS emulator and snapcopy worker on free ports; for each scenario
// runs the snapcopy side and then the peer on the same emulator settings, prints a table of both and
// writes everything to bench/results/<timestamp>.json (git-ignored). Not a test: nothing here fails on
// a figure. `npm run bench -- --help` for the flags.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { ROOT } from '../lib/paths';
import { prepareSources } from './aws';
import { measureTemporalFloor } from './floor';
import { RESULTS_DIR } from './paths';
import { emulatorCopies, emulatorStats } from '../lib/emulator-api';
import { describeScenario, renderScenario, sideResult, type ScenarioResult, type SideResult } from './report';
import { startSampler } from './sampler';
import {
  destinationsOf,
  SCENARIOS,
  selectScenarios,
  totalCopies,
  withOverrides,
  type Overrides,
  type Scenario,
} from './scenarios';
import { planCopies, runPeer, runSnapcopy, stopSnapcopy, type SideRun } from './sides';
import { startBenchStack, type BenchStack } from './stack';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

type Side = 'snapcopy' | 'peer';

interface Flags extends Overrides {
  scenario: string[];
  side: 'both' | Side;
  out: string;
  profileWorker?: string;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number');
  return n;
}

function positiveInteger(value: string): number {
  const n = positiveNumber(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

function say(line: string): void {
  console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
}

/** The commit the bench ran on, and the sources it bundled that differ from it (a checkout being worked on). */
function gitState(): { commit: string; uncommittedSources: string[] } {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trimEnd();
  try {
    const uncommitted = git('status', '--porcelain', '--', 'src');
    return {
      commit: git('log', '-1', '--format=%h %s'),
      // Porcelain lines are `XY path`: two status letters (either may be a space), a space, the path.
      uncommittedSources: uncommitted ? uncommitted.split('\n').map((line) => line.slice(3)) : [],
    };
  } catch {
    return { commit: 'unknown', uncommittedSources: [] };
  }
}

async function runSide(
  stack: BenchStack,
  scenario: Scenario,
  side: Side,
  stamp: string,
): Promise<SideResult> {
  // Fresh workers for each snapcopy side (their memory is the scenario's), none while the peer runs (its
  // schedulers' periodic looks at AWS would count as the peer's calls).
  await stack.stopWorkers();
  const since = Date.now();
  const workers = side === 'snapcopy' ? await stack.startWorkers(scenario.workers ?? 1) : [];
  say(`${scenario.name} / ${side}: preparing ${totalCopies(scenario)} source snapshots`);
  const sources = await prepareSources(stack.emulator, scenario, totalCopies(scenario));
  if (sources.rdsRateLimit === 'unsupported')
    say(`${scenario.name} / ${side}: the emulator has no rdsRateLimit yet: RDS not throttled`);
  const copies = planCopies(scenario, sources, `${stamp}${side === 'snapcopy' ? 's' : 'p'}`);
  const sampler = startSampler(stack.emulator.endpoint, destinationsOf(scenario), workers);
  const options = { stack, scenario, sources, copies, say, since, workers, sampler };
  let run: SideRun;
  let stop: () => Promise<unknown>;
  try {
    if (side === 'snapcopy') {
      run = await runSnapcopy(options);
      stop = () => stopSnapcopy(stack.client, copies);
    } else {
      const peer = await runPeer(options);
      run = peer.run;
      stop = () => Promise.resolve(peer.stop());
    }
  } catch (err) {
    await sampler.stop();
    if (side === 'snapcopy') await stopSnapcopy(stack.client, copies);
    throw err;
  }
  const [timeline, stats, samples] = await Promise.all([
    emulatorCopies(stack.emulator.endpoint),
    emulatorStats(stack.emulator.endpoint),
    sampler.stop(),
  ]);
  await stop();
  await new Promise((r) => setTimeout(r, 2_000)); // let stopped copies' last calls land before the next reset
  const result = sideResult({
    side,
    scenario,
    copies,
    run,
    timeline,
    stats,
    samples,
    ...(side === 'snapcopy' ? { workers: workers.length } : {}),
    ...(scenario.rdsRateLimit ? { rdsRateLimit: sources.rdsRateLimit } : {}),
  });
  result.loadAverage = os.loadavg()[0];
  const shown =
    result.makespanSeconds !== undefined
      ? `makespan ${result.makespanSeconds.toFixed(1)} s`
      : `${result.done}/${result.copies} done`;
  say(
    `${scenario.name} / ${side}: ${shown}, ${result.awsCalls.total} AWS calls${result.errors.length ? `, ${result.errors.length} errors (first: ${result.errors[0]})` : ''}`,
  );
  return result;
}

async function main(): Promise<void> {
  const width = Math.max(...SCENARIOS.map((s) => s.name.length)) + 1;
  const program = new Command('bench')
    .description(
      'snapcopy against a plain script (CopyDBClusterSnapshot, retry every 60 s, SDK waiter) on the local emulator',
    )
    .addOption(
      new Option(
        '--scenario <names...>',
        `scenarios to run, in order: ${SCENARIOS.map((s) => s.name).join(', ')}; the [scale] ones only when named`,
      ).default(SCENARIOS.filter((s) => !s.scale).map((s) => s.name)),
    )
    .addOption(
      new Option('--side <side>', 'which side to run').choices(['both', 'snapcopy', 'peer']).default('both'),
    )
    .option('--copies <n>', "copies (a multi-batch scenario's first batch)", positiveInteger)
    .option('--copy-seconds <s>', 'seconds each copy takes at the emulator', positiveNumber)
    .option('--limit <n>', 'copies in flight allowed per account and Region at the emulator', positiveInteger)
    .option(
      '--window-seconds <s>',
      'measurement window of a windowed scenario (queued, queued-by-name, burst, thousand)',
      positiveNumber,
    )
    .option('--out <dir>', 'where the JSON results go', RESULTS_DIR)
    .option('--profile-worker <dir>', "write the workers' V8 CPU profiles (.cpuprofile) here")
    .addHelpText(
      'after',
      `\nScenarios:\n${SCENARIOS.map((s) => `  ${s.name.padEnd(width)} ${s.scale ? '[scale] ' : ''}${describeScenario(s)}`).join('\n')}\n\nExamples: npm run bench -- --scenario fleet --copies 10\n          npm run bench -- --scenario regions --copies 16 --copy-seconds 5`,
    )
    .parse();
  const flags = program.opts<Flags>();
  const names = flags.scenario.flatMap((s) => s.split(',')).filter(Boolean);
  const scenarios = selectScenarios(names).map((s) => withOverrides(s, flags));
  const sides: Side[] = flags.side === 'both' ? ['snapcopy', 'peer'] : [flags.side];

  const startedAt = new Date();
  const stamp = startedAt.toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  fs.mkdirSync(flags.out, { recursive: true });
  const outFile = path.join(flags.out, `${stamp}.json`);
  const logDir = path.join(flags.out, `${stamp}-logs`);
  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  const results: ScenarioResult[] = [];
  const git = gitState();
  const write = () =>
    fs.writeFileSync(
      outFile,
      `${JSON.stringify(
        {
          command,
          startedAt: startedAt.toISOString(),
          finishedAt: new Date().toISOString(),
          git,
          machine: {
            cpus: os.cpus().length,
            node: process.version,
            platform: `${os.platform()} ${os.release()}`,
          },
          scenarios: results,
        },
        null,
        2,
      )}\n`,
    );

  // The workers' schedulers get the scenarios' limit as their capacity when the scenarios agree on one.
  const limits = new Set(scenarios.map((s) => s.copyLimit));
  const stack = await startBenchStack(
    logDir,
    say,
    limits.size === 1 ? [...limits][0] : undefined,
    flags.profileWorker,
  );
  try {
    for (const scenario of scenarios) {
      const result: ScenarioResult = { scenario };
      results.push(result);
      if (scenario.scale && sides.includes('snapcopy')) {
        await stack.stopWorkers();
        const count = scenario.batches[0]?.count ?? 0;
        say(`${scenario.name}: Temporal's floor, ${count} workflows that do nothing`);
        result.temporalFloor = await measureTemporalFloor(
          stack.client,
          stack.temporal.address,
          stack.namespace,
          count,
        );
        write();
      }
      for (const side of sides) {
        result[side] = await runSide(stack, scenario, side, stamp.slice(-6));
        write();
      }
      console.log(`\n${renderScenario(result)}\n`);
    }
  } finally {
    await stack.stop();
    write();
  }
  console.log(
    `${command}: results in ${path.relative(process.cwd(), outFile)}, logs in ${path.relative(process.cwd(), logDir)}`,
  );
  const schedulers = results.some((r) => (r.snapcopy?.history?.schedulerRuns ?? 0) > 0);
  if (!schedulers) console.log('(no copySlots scheduler ran: snapcopy waited for slots by retrying)');
}

main().catch((err: unknown) => {
  console.error(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exitCode = 1;
});
