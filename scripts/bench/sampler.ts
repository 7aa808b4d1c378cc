// Samples, once a second while a side runs: the copies in flight in each of the scenario's destinations
// (from the emulator's copy timelines), the workers' resident memory (from /proc), and every few seconds
// the AWS calls counted so far.
import { emulatorCopies, emulatorStats, totalCalls } from '../lib/emulator-api';
import type { CountSample, InFlightSample } from './metrics';
import type { WorkerProcess } from '../lib/worker-process';
import { destinationKey } from './scenarios';

export interface WorkerMemory {
  pid: number;
  /** Largest VmRSS sampled, bytes. */
  peakRss?: number;
  /** VmHWM when last read (the kernel's peak since the side started, where it could be reset), bytes. */
  hwm?: number;
}

export interface Samples {
  /** Copies in flight over all the destinations; with several, `byDestination` too. */
  inFlight: (InFlightSample & { byDestination?: Record<string, number> })[];
  /** AWS calls counted so far, every `statsEvery` samples. */
  calls: CountSample[];
  /** Largest VmRSS sampled, bytes: the largest of any one worker. */
  peakRss?: number;
  /** VmHWM at the end (read last before a worker was killed), bytes: the largest of any one worker. */
  hwm?: number;
  /** Whether VmHWM was reset when the side started (otherwise it covers the worker's whole life). */
  hwmReset: boolean;
  /** With several workers: each one's, and the largest sum of their VmRSS sampled at one moment. */
  workers?: WorkerMemory[];
  peakRssSum?: number;
}

export interface Sampler {
  /** Reads the workers' memory now (before one is killed: its VmHWM is gone with it). */
  sampleMemory(): void;
  stop(): Promise<Samples>;
}

export function startSampler(
  endpoint: string,
  destinations: readonly { accountId: string; region: string }[],
  workers: readonly WorkerProcess[],
  everyMs = 1000,
  statsEvery = 5,
): Sampler {
  const resets = workers.map((w) => w.resetPeak());
  const samples: Samples = {
    inFlight: [],
    calls: [],
    hwmReset: resets.length > 0 && resets.every(Boolean),
    ...(workers.length > 1 ? { workers: workers.map((w) => ({ pid: w.pid })) } : {}),
  };
  const keys = new Set(destinations.map(destinationKey));
  const several = keys.size > 1;
  const memories = workers.map((w): WorkerMemory => ({ pid: w.pid }));
  let round = 0;
  let running = true;
  const sampleMemory = () => {
    let sum = 0;
    let any = false;
    workers.forEach((worker, i) => {
      const memory = worker.memory();
      if (!memory) return;
      any = true;
      sum += memory.rss;
      const m = memories[i]!;
      m.peakRss = Math.max(m.peakRss ?? 0, memory.rss);
      m.hwm = memory.hwm;
    });
    const known = memories.filter((m) => m.peakRss !== undefined);
    if (known.length) {
      samples.peakRss = Math.max(...known.map((m) => m.peakRss!));
      samples.hwm = Math.max(...known.map((m) => m.hwm!));
    }
    if (samples.workers) {
      samples.workers = memories.map((m) => ({ ...m }));
      if (any) samples.peakRssSum = Math.max(samples.peakRssSum ?? 0, sum);
    }
  };
  const loop = (async () => {
    while (running) {
      const next = Date.now() + everyMs;
      try {
        const { now, copies } = await emulatorCopies(endpoint);
        const byDestination: Record<string, number> = {};
        let inFlight = 0;
        for (const c of copies) {
          const key = destinationKey(c);
          if (c.status !== 'copying' || c.deletedAt !== undefined || !keys.has(key)) continue;
          byDestination[key] = (byDestination[key] ?? 0) + 1;
          inFlight++;
        }
        samples.inFlight.push({ at: now, inFlight, ...(several ? { byDestination } : {}) });
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
    sampleMemory,
    async stop() {
      running = false;
      await loop;
      sampleMemory();
      return samples;
    },
  };
}
