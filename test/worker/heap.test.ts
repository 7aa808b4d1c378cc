// The workflow thread's heap limit: derived from the cache size, set for the thread the SDK starts after
// it (not the main thread), and never over a limit given to node or a lower default.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  heapGrowingPercentToSet,
  heapLimitGiven,
  heapSizingGiven,
  workflowHeapLimitMb,
  workflowHeapLimitToSet,
} from '../../src/worker/heap';
import { ROOT } from '../helpers/paths';

function runNode(fixture: string, arg: string, nodeArgs: string[] = []): unknown {
  const { NODE_OPTIONS: _ignored, ...env } = process.env;
  const file = path.join(__dirname, 'fixtures', fixture);
  const out = execFileSync(process.execPath, [...nodeArgs, '--import', 'tsx', file, arg], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
  });
  return JSON.parse(out);
}

/** Old space limits in MiB; a heap's whole limit adds the young generation (a few dozen MiB) to it. */
function runFixture(
  cached: number,
  nodeArgs: string[] = [],
): { set: number | null; thread: number; main: number } {
  return runNode('heap-limit.ts', String(cached), nodeArgs) as {
    set: number | null;
    thread: number;
    main: number;
  };
}

function runGrowth(arg: 'limit' | 'default'): { set: number | null; largestMb: number } {
  return runNode('heap-growth.ts', arg) as { set: number | null; largestMb: number };
}

describe('workflowHeapLimitMb', () => {
  it('is 1 GiB for the default cache and grows by 1 MiB per cached workflow past it', () => {
    expect(workflowHeapLimitMb(100)).toBe(1024);
    expect(workflowHeapLimitMb(768)).toBe(1024);
    expect(workflowHeapLimitMb(5000)).toBe(5256);
  });
});

describe('heapLimitGiven', () => {
  it('sees a limit on the command line or in NODE_OPTIONS, in either spelling', () => {
    expect(heapLimitGiven(['--max-old-space-size=512'], undefined)).toBe(true);
    expect(heapLimitGiven([], '--enable-source-maps --max_old_space_size=300')).toBe(true);
    expect(heapLimitGiven(['--import', 'tsx'], '--enable-source-maps')).toBe(false);
    expect(heapLimitGiven([], '--max-semi-space-size=16')).toBe(false);
  });
});

describe('heapSizingGiven', () => {
  it('sees a heap limit or a growth factor given to node', () => {
    expect(heapSizingGiven(['--max-old-space-size=512'], undefined)).toBe(true);
    expect(heapSizingGiven([], '--heap_growing_percent=20')).toBe(true);
    expect(heapSizingGiven(['--heap-growing-percent=30'], undefined)).toBe(true);
    expect(heapSizingGiven(['--import', 'tsx'], '--max-semi-space-size=16')).toBe(false);
  });
});

describe('heapGrowingPercentToSet', () => {
  const node = { execArgv: [], nodeOptions: undefined, defaultLimitMb: 4144 };

  it('is 60% under a large default limit', () => {
    expect(heapGrowingPercentToSet(node)).toBe(60);
  });

  it("keeps node's own sizing and a small machine's default", () => {
    expect(heapGrowingPercentToSet({ ...node, execArgv: ['--max-old-space-size=4000'] })).toBeUndefined();
    expect(heapGrowingPercentToSet({ ...node, nodeOptions: '--heap-growing-percent=200' })).toBeUndefined();
    expect(heapGrowingPercentToSet({ ...node, defaultLimitMb: 1000 })).toBeUndefined();
  });
});

describe('limitHeapGrowth', () => {
  it("keeps the main thread's heap well below what V8 lets it grow to by default", () => {
    const limited = runGrowth('limit');
    const unlimited = runGrowth('default');
    expect(limited.set).toBe(60);
    expect(unlimited.set).toBeNull();
    // Measured: about 140 against 270 MiB, holding about 40 MiB and churning garbage.
    expect(limited.largestMb).toBeLessThan(unlimited.largestMb * 0.75);
  });
});

describe('limitWorkflowThreadHeap', () => {
  it('limits a thread started after it and leaves the main thread as it was', () => {
    const r = runFixture(100);
    expect(r.set).toBe(1024);
    expect(r.thread).toBeGreaterThanOrEqual(1024);
    expect(r.thread).toBeLessThan(1200);
    expect(r.main).toBeGreaterThan(r.thread);
  });

  it('keeps a limit given to node', () => {
    const r = runFixture(100, ['--max-old-space-size=3000']);
    expect(r.set).toBeNull();
    expect(r.thread).toBeGreaterThanOrEqual(3000);
  });
});

describe('workflowHeapLimitToSet', () => {
  const node = { execArgv: [], nodeOptions: undefined, defaultLimitMb: 4144 };

  it('sets the limit under a larger default', () => {
    expect(workflowHeapLimitToSet(100, node)).toBe(1024);
  });

  it('keeps a limit given to node, even a larger one', () => {
    expect(
      workflowHeapLimitToSet(100, { ...node, nodeOptions: '--max-old-space-size=8000' }),
    ).toBeUndefined();
  });

  it('keeps a default lower than its own', () => {
    expect(workflowHeapLimitToSet(100, { ...node, defaultLimitMb: 1000 })).toBeUndefined();
    expect(workflowHeapLimitToSet(5000, { ...node, defaultLimitMb: 5000 })).toBeUndefined();
  });
});
