// `npm run chaos`: the chaos suite (scripts/chaos/scenario.ts) with the issue's figures by default; prints
// its checks and one line with the figures and PASS or FAIL, and exits 1 on FAIL.
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { ROOT } from '../lib/paths';
import { chaosLine, runChaos } from './scenario';

const fraction = (v: string) => {
  const n = Number(v);
  if (!(n >= 0 && n <= 1)) throw new InvalidArgumentError('must be a fraction from 0 to 1.');
  return n;
};
const whole = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number.');
  return n;
};

const program = new Command('chaos')
  .description('copies through the real worker and Temporal while AWS, the worker and Temporal fail')
  .option('--copies <n>', 'copies, half to us-west-2, half to eu-west-1', whole, 20)
  .option('--copy-seconds <s>', 'seconds each copy takes at the emulator', whole, 10)
  .option('--copy-limit <n>', 'copies in flight per Region at the emulator', whole, 3)
  .option('--throttle <f>', 'fraction of AWS calls answered Throttling', fraction, 0.25)
  .option('--error-5xx <f>', 'fraction answered 500/503', fraction, 0.1)
  .option('--lost <f>', 'fraction acted on whose response is lost', fraction, 0.1)
  .option('--kill-every <s>', 'SIGKILL the worker this often (seconds)', whole, 20)
  .option('--temporal-restarts <n>', 'Temporal server kills and restarts (0 or 1)', whole, 1)
  .option('--cancels <n>', 'copies cancelled mid-copy', whole, 2)
  .option('--restore-tests <n>', 'restore tests (verifyCopy) in eu-central-1 under the same faults', whole, 1)
  .option('--seed <n>', 'seed of the emulator faults', whole, 1)
  .option('--timeout <s>', 'give up after (seconds)', whole, 1200)
  .option('--out <dir>', 'logs', path.join(ROOT, 'bench', 'results'))
  .action(async (o: Record<string, number | string>) => {
    const logDir = path.join(String(o.out), `chaos-${new Date().toISOString().replace(/[:.]/g, '-')}`);
    const report = await runChaos({
      copies: Number(o.copies),
      copySeconds: Number(o.copySeconds),
      copyLimit: Number(o.copyLimit),
      throttle: Number(o.throttle),
      error5xx: Number(o.error5xx),
      lostResponse: Number(o.lost),
      workerKillEverySeconds: Number(o.killEvery),
      temporalRestarts: Number(o.temporalRestarts),
      cancels: Number(o.cancels),
      restoreTests: Number(o.restoreTests),
      seed: Number(o.seed),
      timeoutSeconds: Number(o.timeout),
      logDir,
      say: (line) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${line}`),
    });
    for (const c of report.checks)
      console.log(`${c.ok ? '✓' : '✗'} ${c.name}${c.detail ? `: ${c.detail}` : ''}`);
    console.log(chaosLine(report));
    process.exitCode = report.pass ? 0 : 1;
  });

program.parseAsync().catch((err: unknown) => {
  console.error(`chaos: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
