// The `snapcopy` CLI: start, follow, cancel, list and prune snapshot copies, manage their schedules, and print
// the IAM policy they need. `bin/snapcopy.js` runs main(); tests call run(argv, io) in-process.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { registerCancel } from './cli/commands/cancel';
import { registerCopy } from './cli/commands/copy';
import { registerIamPolicy } from './cli/commands/iam-policy';
import { registerHold } from './cli/commands/hold';
import { registerList } from './cli/commands/list';
import { registerPlan } from './cli/commands/plan';
import { registerPrune } from './cli/commands/prune';
import { registerRpo } from './cli/commands/rpo';
import { registerSchedule } from './cli/commands/schedule';
import { registerSetup } from './cli/commands/setup';
import { registerSlots } from './cli/commands/slots';
import { registerStatus } from './cli/commands/status';
import { registerVerify } from './cli/commands/verify';
import { CliContext, type GlobalOptions } from './cli/context';
import { EXIT, explain, oneLine } from './cli/errors';
import { processIo, type CliIo } from './cli/io';
import { parseDurationSeconds } from './cli/parse';

// On Node 20 (the Temporal SDK's floor) the AWS SDK's notice that its 2027 releases need Node 22
// is for maintainers, not for someone running a command (docs/operations.md, "Node versions").
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

function version(): string {
  try {
    // src/client.ts and lib/client.js both sit one level below the package root.
    const pkg = JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

const ENVIRONMENT_HELP = `
Environment:
  TEMPORAL_ADDRESS      Temporal frontend (default localhost:7233); TLS and API keys through
  TEMPORAL_NAMESPACE    the namespace (default "default")        TEMPORAL_* / temporal.toml (envconfig)
  SNAPCOPY_TASK_QUEUE   the workers' task queue (default "snapcopy")
  TEMPORAL_UI_URL       Temporal UI base URL for links (default http://localhost:8233 for a local server)
  AWS_*                 the default AWS credential chain, AWS_ENDPOINT_URL for an emulator (prune)

Exit codes:
  0    success
  1    the operation failed (refused, not found, copy failed or cancelled, AWS or Temporal error)
  2    usage error: unknown command or option, missing or invalid value, including copy input that breaks
       the CopyDBClusterSnapshot rules (checked locally before anything is started)
  130  Ctrl-C while waiting with --wait: detached, the copy goes on

Errors are one line on stderr ("snapcopy: ..."); --debug adds the stack trace.`;

export function createProgram(ctx: CliContext): Command {
  const program = new Command('snapcopy')
    .description(
      'Copy Amazon Aurora / RDS DB cluster snapshots within and across AWS Regions as durable Temporal workflows.',
    )
    .version(version(), '-V, --version')
    .option('--debug', 'print stack traces with errors')
    .option(
      '--connect-timeout <duration>',
      'give up connecting to Temporal after this long, e.g. 5s (default 10s)',
      parseDurationSeconds,
    )
    .configureOutput({
      writeOut: (text) => void ctx.io.stdout.write(text),
      writeErr: (text) => void ctx.io.stderr.write(text),
      outputError: (text, write) => write(`snapcopy: ${oneLine(text.replace(/^error: /, ''))}\n`),
    })
    .exitOverride()
    .showSuggestionAfterError(true)
    .addHelpText('after', ENVIRONMENT_HELP);
  registerCopy(program, ctx);
  registerStatus(program, ctx);
  registerCancel(program, ctx);
  registerVerify(program, ctx);
  registerList(program, ctx);
  registerPrune(program, ctx);
  registerHold(program, ctx);
  registerSchedule(program, ctx);
  registerSlots(program, ctx);
  registerPlan(program, ctx);
  registerRpo(program, ctx);
  registerIamPolicy(program, ctx);
  registerSetup(program, ctx);
  return program;
}

/** Runs the CLI on `argv` (without node and script) and answers the exit code; never exits the process. */
export async function run(
  argv: string[],
  io: CliIo = processIo(),
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const ctx = new CliContext(io, env);
  const program = createProgram(ctx);
  ctx.globals = () => program.opts<GlobalOptions>();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return ctx.exitCode;
  } catch (err) {
    // Commander has printed its own message (or the help) already.
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    const { message, exitCode } = explain(err);
    io.stderr.write(`snapcopy: ${message}\n`);
    if (ctx.globals().debug && err instanceof Error && err.stack) io.stderr.write(`${err.stack}\n`);
    return exitCode;
  } finally {
    await ctx.close();
  }
}

/** The process entry (bin/snapcopy.js). */
export function main(): void {
  // `snapcopy list | head`: a reader that goes away is not an error of ours.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? EXIT.ok);
      throw err;
    });
  }
  void run(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
    // Whatever a detached wait left in flight must not keep the process alive.
    setTimeout(() => process.exit(code), 2_000).unref();
  });
}

if (require.main === module) main();
