// Samples, once a second while a side runs: the copies in flight in the scenario's Region (from the
// emulator), the worker's resident memory (from /proc), and every few seconds the AWS calls counted so far.
import { emulatorCopies, emulatorStats, totalCalls } from '../lib/emulator-api';
import type { CountSample, InFlightSample } from './metrics';
import type { WorkerProcess } from '../lib/worker-process';

export interface Samples {
  inFlight: InFlightSample[];
  /** AWS calls counted so far, every `statsEvery` samples. */
  calls: CountSample[];
  /** Largest VmRSS sampled, bytes. */
  peakRss?: number;
  /** VmHWM at the end (the kernel's peak since the side started, where it could be reset), bytes. */
  hwm?: number;
  /** Whether VmHWM was reset when the side started (otherwise it covers the worker's whole life). */
  hwmReset: boolean;
}

export function startSampler(
  endpoint: string,
  region: string,
  worker: WorkerProcess | undefined,
  everyMs = 1000,
  statsEvery = 5,
): { stop(): Promise<Samples> } {
  const samples: Samples = { inFlight: [], calls: [], hwmReset: worker?.resetPeak() ?? false };
  let round = 0;
  let running = true;
  const sampleMemory = () => {
    const memory = worker?.memory();
    if (memory) {
      samples.peakRss = Math.max(samples.peakRss ?? 0, memory.rss);
      samples.hwm = memory.hwm;
    }
  };
  const loop = (async () => {
    while (running) {
      const next = Date.now() + everyMs;
      try {
        const { now, inFlight } = await emulatorCopies(endpoint);
        samples.inFlight.push({ at: now, inFlight: inFlight[region] ?? 0 });
        if (round++ % statsEvery === 0)
          samples.calls.push({ at: Date.now(), count: totalCalls(await emulatorStats(endpoint)) });
      } catch {
        // a missed sample: the step function holds the previous one
      }
      sampleMemory();
      await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      sampleMemory();
      return samples;
    },
  };
}
