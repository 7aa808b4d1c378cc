// The bench's scenarios (issue 7): what each one copies, where to, on which emulator settings, for how
// long, and what it aims at. Each runs snapcopy and the plain peer script on the same settings.

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

/** The emulator's RDS throttling: a token bucket per account and Region (AWS's: burst 300, 12 a second). */
export interface RdsRateLimit {
  burst: number;
  perSecond: number;
}

export interface Scenario {
  name: string;
  /**
   * Where the copies go. Copies are assigned round-robin over the (account × Region) destinations
   * (destinationsOf). A one-Region scenario has its own Region, so that its copySlots scheduler is its own.
   */
  targetRegions: string[];
  /**
   * Destination accounts other than the worker's, each reached through its own role (TargetRoleArn,
   * targetRoleArn()); absent: the worker's own account, no role.
   */
  targetAccounts?: string[];
  sourceForm: SourceForm;
  /**
   * Whether the sources are encrypted with a customer managed key (the default; each destination then has
   * its own key alias, KEY_ALIAS, which the copies are given as KmsKeyId) or unencrypted (no KmsKeyId).
   */
  encryptedSources?: boolean;
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
  /** snapcopy worker processes on the one task queue (default 1). */
  workers?: number;
  /** SIGKILL one worker once this share of the copies is available at the emulator (needs workers > 1). */
  killWorkerAt?: number;
  /** The emulator's RDS throttling during the scenario (off without). */
  rdsRateLimit?: RdsRateLimit;
  /**
   * Show the scale measures in the table (slots busy, copies lost and duplicated, throttled calls,
   * billable actions, workflow task latency). The figures are in the results file for every scenario.
   */
  scale?: boolean;
  aims: Aims;
}

export interface Aims {
  /** makespan ≤ this × the physical limit */
  makespanRatio?: number;
  utilisation?: number;
  /** seconds */
  detectionLagP95?: number;
  awsCallsPerMinute?: number;
  /** The rate once the first minute (the starts) is over. */
  awsCallsPerMinuteAfterFirst?: number;
  historyEventsPerCopy?: number;
  /** Temporal Cloud's billable actions (metrics.ts, ACTION_TABLE) per copy. */
  actionsPerCopy?: number;
  workerRssMiB?: number;
  /** seconds from the first start until every slot is busy (metrics.ts, allSlotsBusyAt) */
  allSlotsBusySeconds?: number;
  /** seconds: workflow task scheduled → completed, p99, over copies, schedulers and share holders */
  workflowTaskP99Seconds?: number;
  /** the high-priority copies start before every low-priority copy still queued */
  priorityOrder?: boolean;
}

/** The account of the emulator's default credentials (moto's): the worker's own. */
export const WORKER_ACCOUNT = '123456789012';

/** The TargetRoleArn of a destination account. */
export function targetRoleArn(accountId: string): string {
  return `arn:aws:iam::${accountId}:role/snapcopy-target`;
}

/** Eight destination Regions (none is the sources' us-east-1, so every copy is cross-Region). */
export const EIGHT_REGIONS = [
  'us-east-2',
  'us-west-1',
  'ca-central-1',
  'sa-east-1',
  'eu-north-1',
  'eu-west-3',
  'ap-south-1',
  'ap-northeast-1',
];

/** Five destination accounts, each through its TargetRoleArn. */
export const FIVE_ACCOUNTS = ['210000000001', '210000000002', '210000000003', '210000000004', '210000000005'];

/** AWS's RDS request throttling, as the emulator applies it per account and Region. */
export const AWS_RDS_RATE_LIMIT: RdsRateLimit = { burst: 300, perSecond: 12 };

const QUEUED: Scenario = {
  name: 'queued',
  targetRegions: ['eu-west-1'],
  sourceForm: 'arn',
  copySeconds: 600,
  copyLimit: 5,
  snapshotQuota: 1000,
  batches: [{ count: 300 }],
  windowSeconds: 240,
  timeoutSeconds: 240,
  aims: { awsCallsPerMinute: 30, historyEventsPerCopy: 25, workerRssMiB: 512 },
};

const REGIONS: Scenario = {
  name: 'regions',
  targetRegions: EIGHT_REGIONS,
  sourceForm: 'arn',
  copySeconds: 20,
  copyLimit: 5,
  snapshotQuota: 1000,
  batches: [{ count: 240 }],
  timeoutSeconds: 900,
  rdsRateLimit: AWS_RDS_RATE_LIMIT,
  scale: true,
  aims: {
    makespanRatio: 1.1,
    utilisation: 0.9,
    allSlotsBusySeconds: 10,
    workerRssMiB: 512,
    historyEventsPerCopy: 40,
    actionsPerCopy: 15,
  },
};

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'fleet',
    targetRegions: ['us-west-2'],
    sourceForm: 'arn',
    copySeconds: 20,
    copyLimit: 5,
    snapshotQuota: 1000,
    batches: [{ count: 20 }],
    timeoutSeconds: 900,
    aims: { makespanRatio: 1.1, utilisation: 0.9, detectionLagP95: 5 },
  },
  QUEUED,
  // queued with the sources given by name (cross-Region: the name with SourceRegion; the peer resolves
  // each name's ARN with one DescribeDBClusterSnapshots), in a Region of its own.
  { ...QUEUED, name: 'queued-by-name', targetRegions: ['eu-west-2'], sourceForm: 'name' },
  {
    name: 'priorities',
    targetRegions: ['eu-central-1'],
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
  REGIONS,
  {
    // 300 copies arriving at once in one Region, by name: how fast do the 5 slots fill, and do workflow
    // tasks stay short while the scheduler takes 300 requests?
    name: 'burst',
    targetRegions: ['ap-southeast-2'],
    sourceForm: 'name',
    copySeconds: 600,
    copyLimit: 5,
    snapshotQuota: 1000,
    batches: [{ count: 300 }],
    windowSeconds: 240,
    timeoutSeconds: 240,
    rdsRateLimit: AWS_RDS_RATE_LIMIT,
    scale: true,
    aims: { allSlotsBusySeconds: 10, workflowTaskP99Seconds: 1, workerRssMiB: 512 },
  },
  {
    // 40 destinations (8 Regions × 5 accounts through TargetRoleArn), 200 slots. The sources are
    // unencrypted: AWS copies an encrypted snapshot shared by another account only within its Region, so
    // encrypted sources would each take an intermediate copy in us-east-1 of the destination account (5
    // slots per account) and the 200 destination slots could never all be busy.
    name: 'thousand',
    targetRegions: EIGHT_REGIONS,
    targetAccounts: FIVE_ACCOUNTS,
    sourceForm: 'arn',
    encryptedSources: false,
    copySeconds: 600,
    copyLimit: 5,
    snapshotQuota: 2000,
    batches: [{ count: 1000 }],
    windowSeconds: 300,
    timeoutSeconds: 300,
    rdsRateLimit: AWS_RDS_RATE_LIMIT,
    scale: true,
    aims: { workerRssMiB: 512, awsCallsPerMinuteAfterFirst: 60, historyEventsPerCopy: 40 },
  },
  {
    // regions on three workers, one SIGKILLed once half the copies are available.
    ...REGIONS,
    name: 'workers',
    workers: 3,
    killWorkerAt: 0.5,
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

/** One destination: an account and Region, reached through its role unless it is the worker's account. */
export interface Destination {
  accountId: string;
  region: string;
  roleArn?: string;
}

/** `account/Region`, the key of a destination (and of the emulator's copies). */
export function destinationKey(d: { accountId: string; region: string }): string {
  return `${d.accountId}/${d.region}`;
}

/** The scenario's destinations, account by account, each account's Regions in order. */
export function destinationsOf(scenario: Scenario): Destination[] {
  const accounts = scenario.targetAccounts ?? [undefined];
  return accounts.flatMap((accountId) =>
    scenario.targetRegions.map((region): Destination =>
      accountId === undefined
        ? { accountId: WORKER_ACCOUNT, region }
        : { accountId, region, roleArn: targetRoleArn(accountId) },
    ),
  );
}

/** The destination of the index-th copy: round-robin over the destinations. */
export function destinationOf(destinations: readonly Destination[], index: number): Destination {
  return destinations[index % destinations.length]!;
}

/** How many of `copies` copies each destination gets, round-robin, in destinationsOf's order. */
export function copiesPerDestination(copies: number, destinations: number): number[] {
  return Array.from(
    { length: destinations },
    (_, d) => Math.floor(copies / destinations) + (d < copies % destinations ? 1 : 0),
  );
}
