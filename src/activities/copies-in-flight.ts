// How many cluster-snapshot copies are in progress in a Region: AWS's view of the copy slots, which counts
// copies snapcopy did not start (AWS Backup, a person) too. One listing for the whole Region, asked by the
// copySlots scheduler a few minutes apart while copies wait — never per waiting copy.
import type { AwsClients } from './clients';
import { toActivityFailure } from './errors';
import { snapshotPages } from './snapshot-pages';
import type { AssumedRole } from './types';

export interface CountCopiesInFlightInput {
  region: string;
  /** The account's role (TargetRoleArn); the default credentials without. */
  role?: AssumedRole;
}

export async function countCopiesInFlight(
  clients: AwsClients,
  input: CountCopiesInFlightInput,
): Promise<number> {
  try {
    let copying = 0;
    // Copies are manual snapshots while they run; `copying` is the status AWS gives them.
    for await (const page of snapshotPages(clients.rds(input.region, input.role), {
      SnapshotType: 'manual',
    })) {
      copying += (page.DBClusterSnapshots ?? []).filter((s) => s.Status === 'copying').length;
    }
    return copying;
  } catch (err) {
    throw toActivityFailure(err, `count the copies in flight in ${input.region}`);
  }
}
