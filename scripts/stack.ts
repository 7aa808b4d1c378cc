// `npm run stack:up` / `npm run stack:down` / `tsx scripts/stack.ts status`
import { stackDown, stackStatus, stackUp, UI_URL, EMULATOR_ENDPOINT, TEMPORAL_ADDRESS } from './lib/stack';

async function main(command: string | undefined): Promise<void> {
  switch (command) {
    case 'up': {
      const started = await stackUp();
      console.log(
        `local stack ready (${started.length ? `started: ${started.join(', ')}` : 'already running'}):\n` +
          `  Temporal  ${TEMPORAL_ADDRESS}\n  UI        ${UI_URL}\n  AWS       ${EMULATOR_ENDPOINT}\n` +
          `  logs      .stack/*.log\nstop it with: npm run stack:down`,
      );
      return;
    }
    case 'down': {
      const stopped = await stackDown();
      console.log(stopped.length ? `stopped: ${stopped.join(', ')}` : 'nothing was running');
      return;
    }
    case 'status': {
      const s = stackStatus();
      for (const [part, up] of Object.entries(s))
        console.log(`${part.padEnd(9)} ${up ? 'running' : 'stopped'}`);
      return;
    }
    default:
      console.error('usage: tsx scripts/stack.ts up|down|status');
      process.exitCode = 2;
  }
}

main(process.argv[2]).catch((err: unknown) => {
  console.error(`stack: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
