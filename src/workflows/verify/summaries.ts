// One-line summaries of a restore test's activities and timers, as the Temporal UI's timeline shows them.
import { formatDuration } from '../../shared/duration';

export const verifySummaries = {
  describe: (id: string, region: string) => `describe snapshot ${id} in ${region}`,
  requestSlot: (region: string) => `ask for a restore-test slot in ${region}`,
  releaseSlot: (region: string) => `give the restore-test slot in ${region} back`,
  restore: (arn: string, id: string) => `restore ${arn} into ${id}`,
  lookCluster: (id: string) => `look at cluster ${id}`,
  writer: (id: string, instanceClass: string) => `create writer ${id} (${instanceClass})`,
  lookWriter: (id: string) => `look at writer ${id}`,
  dataApi: (id: string) => `enable the Data API of ${id}`,
  sql: (id: string) => `run the SQL check on ${id}`,
  deleteWriter: (id: string) => `delete writer ${id} (tags re-checked)`,
  deleteCluster: (id: string) => `delete cluster ${id} (tags re-checked, no final snapshot)`,
  nextLook: (seconds: number) => `next look in ${formatDuration(seconds)}`,
  goneWait: (id: string, seconds: number) => `wait ${formatDuration(seconds)} for ${id} to be gone`,
};
