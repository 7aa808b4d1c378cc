// The bench's scenarios (issue 7): what each one copies, on which emulator settings, for how long, and
// what it aims at. Each runs snapcopy and the plain peer script on the same settings.

export interface Batch {
  count: number;
  /** snapcopy's options.priority (the peer has none). */
  priority?: number;
}

/**
 * How the copies are given their sources: by the source snapshot's ARN, or by its name (what users mostly
 * give). By name, snapcopy gets the name with SourceRegion when the copy is cross-Region (the name alone
 * when it is not); the peer gives CopyDBClusterSnapshot the name when the copy is same-Region, and for a
 * cross-Region copy — where AWS takes no name — first resolves the ARN as a script would, with one
 * DescribeDBClusterSnapshots per source in the source Region (aws.ts, peerCopy).
 */
export type SourceForm = 'arn' | 'name';

export interface Scenario {
  name: string;
  /** Each scenario copies to its own Region, so that its copySlots scheduler is its own. */
  targetRegion: string;
  sourceForm: SourceForm;
  copySeconds: number;
  copyLimit: number;
  snapshotQuota: number;
  /**
   * Copies started together; each later batch starts once every copy of the earlier ones has either
   * started at the emulator or is waiting for a slot (refused once, or queued).
   */
  batches: Batch[];
  /** Measure this long from the first start, then stop everything (not to completion). */
  windowSeconds?: number;
  /** Give up on a to-completion side after this long. */
  timeoutSeconds: number;
  aims: Aims;
}

export interface Aims {
  /** makespan ≤ this × the physical limit */
  makespanRatio?: number;
  utilisation?: number;
  /** seconds */
  detectionLagP95?: number;
  awsCallsPerMinute?: number;
  historyEventsPerCopy?: number;
  workerRssMiB?: number;
  /** the high-priority copies start before every low-priority copy still queued */
  priorityOrder?: boolean;
}

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'fleet',
    targetRegion: 'us-west-2',
    sourceForm: 'arn',
    copySeconds: 20,
    copyLimit: 5,
    snapshotQuota: 1000,
    batches: [{ count: 20 }],
    timeoutSeconds: 900,
    aims: { makespanRatio: 1.1, utilisation: 0.9, detectionLagP95: 5 },
  },
  {
    name: 'queued',
    targetRegion: 'eu-west-1',
    sourceForm: 'arn',
    copySeconds: 600,
    copyLimit: 5,
    snapshotQuota: 1000,
    batches: [{ count: 300 }],
    windowSeconds: 240,
    timeoutSeconds: 240,
    aims: { awsCallsPerMinute: 30, historyEventsPerCopy: 25, workerRssMiB: 512 },
  },
  {
    // queued with the sources given by name (cross-Region: the name with SourceRegion; the peer resolves
    // each name's ARN with one DescribeDBClusterSnapshots). Its own Region, so that its copySlots scheduler
    // is its own (the history count takes every scheduler run of the Region, closed ones too).
    name: 'queued-by-name',
    targetRegion: 'eu-west-2',
    sourceForm: 'name',
    copySeconds: 600,
    copyLimit: 5,
    snapshotQuota: 1000,
    batches: [{ count: 300 }],
    windowSeconds: 240,
    timeoutSeconds: 240,
    aims: { awsCallsPerMinute: 30, historyEventsPerCopy: 25, workerRssMiB: 512 },
  },
  {
    name: 'priorities',
    targetRegion: 'eu-central-1',
    sourceForm: 'arn',
    copySeconds: 20,
    copyLimit: 5,
    snapshotQuota: 1000,
    batches: [
      { count: 10, priority: 5 },
      { count: 3, priority: 1 },
    ],
    timeoutSeconds: 900,
    aims: { priorityOrder: true },
  },
];

export interface Overrides {
  copies?: number;
  copySeconds?: number;
  limit?: number;
  windowSeconds?: number;
}

/** A scenario with the command line's overrides: `copies` resizes its first batch. */
export function withOverrides(scenario: Scenario, o: Overrides): Scenario {
  const [first, ...rest] = scenario.batches;
  return {
    ...scenario,
    ...(o.copySeconds !== undefined ? { copySeconds: o.copySeconds } : {}),
    ...(o.limit !== undefined ? { copyLimit: o.limit } : {}),
    ...(o.windowSeconds !== undefined && scenario.windowSeconds !== undefined
      ? { windowSeconds: o.windowSeconds, timeoutSeconds: o.windowSeconds }
      : {}),
    batches: first && o.copies !== undefined ? [{ ...first, count: o.copies }, ...rest] : scenario.batches,
  };
}

export function totalCopies(scenario: Scenario): number {
  return scenario.batches.reduce((n, b) => n + b.count, 0);
}

/** Scenarios by name, in the order given; throws on an unknown one. */
export function selectScenarios(names: readonly string[]): Scenario[] {
  return names.map((name) => {
    const found = SCENARIOS.find((s) => s.name === name);
    if (!found)
      throw new Error(`unknown scenario "${name}"; expected ${SCENARIOS.map((s) => s.name).join(', ')}`);
    return found;
  });
}
