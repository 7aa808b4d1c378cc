// The chaos suite's small version, so CI guards it (`npm run chaos` is the full one): a few copies through
// the real worker process and a Temporal dev server on SQLite, 20% AWS faults, one worker SIGKILL, a cancel
// mid-copy, a quota that forces pruning, a restore test (the kill lands mid-restore); then every promise
// checked (scripts/chaos/scenario.ts).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chaosLine, runChaos } from '../../scripts/chaos/scenario';

describe('chaos (small)', () => {
  it('4 copies and a restore test, 20% AWS faults, a worker kill and a cancel: every copy as asked, restorable, nothing orphaned or touched', async () => {
    const report = await runChaos({
      copies: 4,
      copySeconds: 4,
      copyLimit: 2,
      throttle: 0.1,
      error5xx: 0.05,
      lostResponse: 0.05,
      workerKillEverySeconds: 4, // the first kill lands mid-copy (a copy alone takes 4 s)
      maxWorkerKills: 1,
      temporalRestarts: 0,
      cancels: 1,
      restoreTests: 1, // restores for 6 s, its writer for 4 s: the worker kill waits for it mid-restore
      seed: 7,
      timeoutSeconds: 400,
      logDir: mkdtempSync(path.join(tmpdir(), 'snapcopy-chaos-')),
    });
    expect(report.checks, chaosLine(report)).toEqual(report.checks.map((c) => ({ name: c.name, ok: true })));
    expect(report.pass).toBe(true);
    expect(report).toMatchObject({ copies: 4, copied: 3, cancelled: 1, workerKills: 1, pruned: 2 });
    // The restore test, through the same faults and the kill, restorable and cleaned up (the checks say so,
    // GET /snapcopy-emulator/restores included).
    expect(report).toMatchObject({ restoreTests: 1, restorable: 1 });
    expect(['restoring', 'creating-writer']).toContain(report.killedInPhase);
    expect(report.checks.map((c) => c.name)).toEqual(
      expect.arrayContaining([
        'every restore test ended restorable and cleaned up',
        'every throwaway cluster and instance is gone',
      ]),
    );
    // The faults really happened: throttling, 5xx and lost responses, each at least once.
    expect(report.faults.throttle).toBeGreaterThan(0);
    expect(report.faults.error5xx).toBeGreaterThan(0);
    expect(report.faults.lostResponse).toBeGreaterThan(0);
  }, 450_000);
});
