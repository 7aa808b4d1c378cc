// A restore test as people see it: its phase (with its place in the restore-slot queue), the timings so far,
// the checks, the live view of `verify --wait`, and how it ended. Shared by `verify` and `status`. Pure but
// for the live view's stream.
import {
  writerInstanceId,
  type VerifyCheck,
  type VerifyCopyResult,
  type VerifyPhase,
  type VerifyProgress,
} from '../shared/restore-tests';
import { formatDuration } from './format';
import { createLiveView, type LineStream, type ProgressView } from './progress-view';

/** The phases in order (the live bar's steps). */
const PHASES: readonly VerifyPhase[] = [
  'validating',
  'describing',
  'waiting-for-slot',
  'restoring',
  'creating-writer',
  'checking',
  'cleaning-up',
  'done',
];

export function describeVerifyPhase(p: Pick<VerifyProgress, 'phase' | 'queuePosition'>): string {
  if (p.phase === 'waiting-for-slot') {
    return p.queuePosition !== undefined
      ? `waiting for a restore slot (position ${p.queuePosition})`
      : 'waiting for a restore slot';
  }
  return p.phase;
}

/** `describing 1s, waiting-for-slot 2m 3s, restoring 4m 10s` (each phase once, summed over its visits). */
export function timingsText(timings: VerifyProgress['timings']): string {
  const sums = new Map<VerifyPhase, number>();
  for (const t of timings) sums.set(t.phase, (sums.get(t.phase) ?? 0) + t.seconds);
  return [...sums].map(([phase, seconds]) => `${phase} ${formatDuration(seconds)}`).join(', ');
}

/** `engine ok, encryption FAILED` */
export function checksText(checks: readonly VerifyCheck[]): string {
  return checks.map((c) => `${c.name} ${c.ok ? 'ok' : 'FAILED'}`).join(', ');
}

/** One check: `ok      engine: aurora-postgresql 15.4` / `FAILED  encryption: …`. */
export function checkLine(c: VerifyCheck): string {
  return `${(c.ok ? 'ok' : 'FAILED').padEnd(6)}  ${c.name}: ${c.detail}`;
}

/**
 * A line of the live view: the phase and the throwaway cluster, the phases finished so far with their times
 * (not the current one's, so a line is printed when something happens, not every poll), the checks so far.
 */
export function verifyProgressLine(p: VerifyProgress): string {
  const done = timingsText(p.timings.slice(0, -1));
  const parts = [describeVerifyPhase(p)];
  if (p.clusterIdentifier) parts.push(p.clusterIdentifier);
  if (done) parts.push(`(${done})`);
  let line = parts.join(' ');
  if (p.checks.length) line += `; checks: ${checksText(p.checks)}`;
  if (p.cancelRequested) line += '; cancel requested';
  return line;
}

/** The live view of `verify --wait`: a bar through the phases on a terminal, a line per change otherwise. */
export function createVerifyView(
  stream: NodeJS.WriteStream | LineStream = process.stderr,
): ProgressView<VerifyProgress> {
  return createLiveView<VerifyProgress>(stream, {
    line: verifyProgressLine,
    format: '{phase} |{bar}| {elapsed_text} | {checks}',
    total: () => PHASES.length - 1,
    value: (p) => Math.max(0, PHASES.indexOf(p.phase)),
    payload: (p) => ({
      phase: describeVerifyPhase(p).padEnd(18),
      elapsed_text: formatDuration(p.timings.at(-1)?.seconds ?? 0),
      checks: p.checks.length ? checksText(p.checks) : (p.clusterIdentifier ?? p.snapshotIdentifier),
    }),
  });
}

const durationOf = (seconds: number | undefined) =>
  seconds === undefined ? undefined : formatDuration(seconds);

/** How a restore test ended, as `label  value` rows (status and verify print them). */
export function verifyResultRows(r: VerifyCopyResult): [string, string | undefined][] {
  return [
    ['outcome', r.outcome],
    ['snapshot', `${r.snapshotArn}${r.snapshotArn.startsWith('arn:') ? '' : ` in ${r.region}`}`],
    [
      'cluster',
      r.clusterIdentifier
        ? `${r.clusterIdentifier} (writer ${writerInstanceId(r.clusterIdentifier)})`
        : undefined,
    ],
    ['restore', durationOf(r.restoreSeconds)],
    ['writer', durationOf(r.writerSeconds)],
    ['total', durationOf(r.totalSeconds)],
    ...r.checks.map((c): [string, string] => ['check', checkLine(c)]),
    [
      'cleaned up',
      r.cleanedUp ? 'yes' : 'NO: the throwaway cluster or writer may remain (snapcopy:verify-of tag)',
    ],
    ['failure', r.failure],
  ];
}
