// `plan diff` / `plan apply`, the report: the plan files read and checked first (nothing is touched when one
// is invalid), the plan schedules read and compared with them (diff.ts), and the changes made: create, update
// (keeping the schedule's paused state and note), delete (--prune).
import { ScheduleAlreadyRunning, ScheduleNotFoundError, type Client } from '@temporalio/client';
import { CliError, GRPC_INVALID_ARGUMENT, UsageError, grpcCode, oneLine } from '../../errors';
import { plural } from '../../format';
import { diffPlans, type DesiredPlan, type PlanChange, type PlanDiff } from './diff';
import { validatePlanFiles, type PlanValidation } from './report-validate';
import {
  deleteAuditSchedule,
  existingPlanSchedules,
  planScheduleOptions,
  upsertAuditSchedule,
} from './schedules';

/**
 * The plans of the files, every one valid and each name once; otherwise the invalid files go to `invalid` (to
 * show their problems as `plan validate` prints them) and a UsageError says nothing was compared.
 */
export async function readPlans(
  files: string[],
  invalid: (bad: PlanValidation[]) => void,
): Promise<DesiredPlan[]> {
  const report = await validatePlanFiles(files);
  if (!report.ok) {
    const bad = report.files.filter((f) => f.plan === undefined);
    invalid(bad);
    throw new UsageError(
      `${plural(bad.length, 'plan file')} of ${files.length} not valid (${bad.map((f) => f.file).join(', ')}): ` +
        'nothing was compared or changed',
    );
  }
  return report.files.map((f) => ({ file: f.file, plan: f.plan! }));
}

export async function planDiffOf(
  client: Client,
  desired: DesiredPlan[],
  opts: { taskQueue: string; prune: boolean },
): Promise<PlanDiff> {
  const existing = await existingPlanSchedules(
    client,
    desired.map((d) => d.plan.name),
  );
  return diffPlans(desired, existing, opts);
}

function refused(err: unknown, what: string): unknown {
  if (grpcCode(err) === GRPC_INVALID_ARGUMENT) {
    return new UsageError(
      `Temporal refused ${what}: ${oneLine(err instanceof Error ? err.message : String(err))}`,
    );
  }
  return err;
}

/** Makes one change in Temporal (create, update, delete; the others change nothing). */
export async function applyChange(client: Client, taskQueue: string, change: PlanChange): Promise<void> {
  await applyPlanChange(client, taskQueue, change);
  // The plan's RPO audit follows its plan: made (or brought up to date, also for plans applied before audits
  // existed) with it, deleted with it.
  if (change.kind === 'create' || change.kind === 'update' || change.kind === 'unchanged') {
    await upsertAuditSchedule(client, change.plan, change.file, taskQueue).catch((err: unknown) => {
      throw refused(err, `the audit schedule of ${change.name}`);
    });
  } else if (change.kind === 'delete') {
    await deleteAuditSchedule(client, change.name);
  }
}

async function applyPlanChange(client: Client, taskQueue: string, change: PlanChange): Promise<void> {
  if (change.kind === 'create' || change.kind === 'update') {
    const options = planScheduleOptions(change.plan, change.file, taskQueue);
    if (change.kind === 'create') {
      try {
        await client.schedule.create({ ...options, state: { paused: false } });
      } catch (err) {
        if (err instanceof ScheduleAlreadyRunning) {
          throw new CliError(
            `schedule ${change.scheduleId} already exists but is not a plan schedule snapcopy made (its action ` +
              `does not start runCopyPlan): rename the plan or delete the schedule`,
          );
        }
        throw refused(err, `the schedule ${change.scheduleId}`);
      }
      return;
    }
    try {
      await client.schedule.getHandle(change.scheduleId).update((prev) => ({
        spec: options.spec,
        action: options.action,
        policies: { ...prev.policies, ...options.policies, pauseOnFailure: prev.policies.pauseOnFailure },
        // Paused stays paused (and keeps its note): apply changes what the plan says, not who paused it.
        state: {
          paused: prev.state.paused,
          ...(prev.state.note !== undefined ? { note: prev.state.note } : {}),
          ...(prev.state.remainingActions !== undefined
            ? { remainingActions: prev.state.remainingActions }
            : {}),
        },
      }));
    } catch (err) {
      if (err instanceof ScheduleNotFoundError) {
        throw new CliError(`schedule ${change.scheduleId} was deleted while being updated`);
      }
      throw refused(err, `the update of ${change.scheduleId}`);
    }
    return;
  }
  if (change.kind === 'delete') {
    try {
      await client.schedule.getHandle(change.scheduleId).delete();
    } catch (err) {
      if (!(err instanceof ScheduleNotFoundError)) throw err; // gone already: what --prune wants
    }
  }
}
