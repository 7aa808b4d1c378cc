// `snapcopy status` of a restore test, what it prints. Pure.
import { writerInstanceId } from '../../../shared/restore-tests';
import { fields, formatTime } from '../../format';
import { checkLine, describeVerifyPhase, timingsText, verifyResultRows } from '../../verify-view';
import type { VerifyStatusReport } from './report-verify';

export function renderVerifyStatus(r: VerifyStatusReport): string {
  const p = r.progress;
  const head: [string, string | undefined][] = [
    ['workflow', r.workflowId],
    ['type', 'restore test (verifyCopy)'],
    ['status', r.status],
    ['phase', p ? describeVerifyPhase(p) : undefined],
    ['summary', r.summary],
    ['started', formatTime(r.startTime)],
    ['closed', r.closeTime ? formatTime(r.closeTime) : undefined],
  ];
  if (r.result) {
    // Closed: how it ended (a failed test's result is the one its failure carries).
    const rows = verifyResultRows(r.result);
    const failure = r.result.failure ?? (r.failure ? `${r.failure.type}: ${r.failure.message}` : undefined);
    return fields([...head, ...rows.filter(([label]) => label !== 'failure'), ['failure', failure]]);
  }
  return fields([
    ...head,
    ['snapshot', p ? `${p.snapshotArn ?? p.snapshotIdentifier} in ${p.region}` : undefined],
    [
      'cluster',
      p?.clusterIdentifier
        ? `${p.clusterIdentifier} (writer ${writerInstanceId(p.clusterIdentifier)})`
        : undefined,
    ],
    ['timings', p?.timings.length ? timingsText(p.timings) : undefined],
    ...(p?.checks ?? []).map((c): [string, string] => ['check', checkLine(c)]),
    ['cancel', p?.cancelRequested ? 'requested' : undefined],
    ['message', p?.message],
    ['progress', r.progressUnavailable],
    ['failure', r.failure ? `${r.failure.type}: ${r.failure.message}` : undefined],
  ]);
}
