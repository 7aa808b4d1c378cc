// The workflow thread's heap limit: derived from the cache size, set for the thread the SDK starts after
// it (not the main thread), and never over a limit given to node or a lower default.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { heapLimitGiven, workflowHeapLimitMb, workflowHeapLimitToSet } from '../../src/worker/heap';
import { ROOT } from '../helpers/paths';

const FIXTURE = path.join(__dirname, 'fixtures/heap-limit.ts');

/** Old space limits in MiB; a heap's whole limit adds the young generation (a few dozen MiB) to it. */
function runFixture(
  cached: number,
  nodeArgs: string[] = [],
): { set: number | null; thread: number; main: number } {
  const { NODE_OPTIONS: _ignored, ...env } = process.env;
  const out = execFileSync(process.execPath, [...nodeArgs, '--import', 'tsx', FIXTURE, String(cached)], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
  });
  return JSON.parse(out) as { set: number | null; thread: number; main: number };
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
