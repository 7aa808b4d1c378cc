// The worker's structured logs: one JSON object per line with time, level and msg, then the SDK's
// metadata (workflowId, runId, activityType, ...) as top-level fields.
import { describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import { LogTimestamp } from '@temporalio/worker';
import { createJsonLogger, formatLogEntry } from '../../src/worker/logging';

function capture(level: Parameters<typeof createJsonLogger>[0] = 'INFO') {
  const lines: string[] = [];
  const logger = createJsonLogger(level, (line) => lines.push(line));
  const records = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { logger, lines, records };
}

describe('JSON logger', () => {
  it('writes one parseable JSON line with time, level, msg and the workflow metadata', () => {
    const { logger, lines, records } = capture();
    logger.info('copy started', {
      sdkComponent: 'workflow',
      workflowId: 'snapcopy-us-west-2-prod-copy',
      runId: '3f1c',
      workflowType: 'copyDbClusterSnapshot',
      targetRegion: 'us-west-2',
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('\n');
    const [record] = records();
    expect(Object.keys(record!).slice(0, 3)).toEqual(['time', 'level', 'msg']);
    expect(record).toMatchObject({
      level: 'info',
      msg: 'copy started',
      sdkComponent: 'workflow',
      workflowId: 'snapcopy-us-west-2-prod-copy',
      runId: '3f1c',
      targetRegion: 'us-west-2',
    });
    expect(new Date(record!.time as string).toISOString()).toBe(record!.time);
  });

  it('carries activity metadata', () => {
    const { logger, records } = capture();
    logger.warn('Activity failed', {
      activityType: 'startCopy',
      activityId: '7',
      workflowId: 'wf-1',
      attempt: 2,
    });
    expect(records()[0]).toMatchObject({
      level: 'warn',
      activityType: 'startCopy',
      workflowId: 'wf-1',
      attempt: 2,
    });
  });

  it('uses the SDK timestamp of the log call (workflow logs are sent after the activation)', () => {
    const { logger, records } = capture();
    const at = Date.UTC(2026, 10, 20, 12, 0, 0, 123);
    logger.info('from the sandbox', { [LogTimestamp]: BigInt(at) * 1_000_000n, workflowId: 'wf' });
    expect(records()[0]).toEqual({
      time: '2026-11-20T12:00:00.123Z',
      level: 'info',
      msg: 'from the sandbox',
      workflowId: 'wf',
    });
  });

  it('filters below the configured level', () => {
    const { logger, lines } = capture('WARN');
    logger.debug('noise');
    logger.info('noise');
    logger.warn('kept');
    logger.error('kept');
    expect(lines).toHaveLength(2);
  });

  it('serialises errors with their name, message, type and stack', () => {
    const { logger, records } = capture();
    const failure = ApplicationFailure.create({
      type: 'SnapshotQuotaExceededFault',
      message: 'quota',
      nonRetryable: true,
    });
    logger.error('Activity failed', { error: failure });
    const error = records()[0]!.error as Record<string, unknown>;
    expect(error).toMatchObject({
      name: 'ApplicationFailure',
      message: 'quota',
      type: 'SnapshotQuotaExceededFault',
    });
    expect(error.stack).toEqual(expect.stringContaining('quota'));
  });

  it('survives bigints, cycles and metadata named like the fixed fields', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    const line = formatLogEntry({
      level: 'INFO',
      message: 'odd metadata',
      timestampNanos: 0n,
      meta: { big: 12n, cyclic, msg: 'not the message', level: 'nope' },
    });
    const record = JSON.parse(line) as Record<string, unknown>;
    expect(record).toMatchObject({
      msg: 'odd metadata',
      level: 'info',
      big: '12',
      cyclic: { name: 'loop', self: '[Circular]' },
      meta_msg: 'not the message',
      meta_level: 'nope',
    });
  });
});
