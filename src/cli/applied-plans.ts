// The applied plans: the plan each plan schedule (`snapcopy-plan-<name>`, action runCopyPlan) carries in its
// action's arguments, checked again — what `plan list` and `plan status` read, for commands that need only
// the plans (e.g. `snapcopy rpo`).
import { ScheduleNotFoundError, type Client } from '@temporalio/client';
import { checkPlan, planScheduleId, type Plan } from '../shared/plan';
import { PLAN_WORKFLOW_TYPE, type RunCopyPlanInput } from '../shared/plan-run';

const PREFIX = 'snapcopy-plan-';

export interface AppliedPlan {
  name: string;
  /** Absent when the schedule's action does not carry a valid plan (then `problem` says so). */
  plan?: Plan;
  problem?: string;
}

/** The applied plan `name`, or undefined when there is no plan schedule of that name. */
export async function appliedPlan(client: Client, name: string): Promise<AppliedPlan | undefined> {
  let d;
  try {
    d = await client.schedule.getHandle(planScheduleId(name)).describe();
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return undefined;
    throw err;
  }
  if (d.action.type !== 'startWorkflow' || d.action.workflowType !== PLAN_WORKFLOW_TYPE) return undefined;
  const check = checkPlan((d.action.args?.[0] as RunCopyPlanInput | undefined)?.plan);
  return check.ok
    ? { name, plan: check.plan }
    : {
        name,
        problem: `the schedule ${planScheduleId(name)} does not carry a valid plan: apply its file again`,
      };
}

/** Every applied plan, by name. */
export async function appliedPlans(client: Client): Promise<AppliedPlan[]> {
  const names: string[] = [];
  for await (const s of client.schedule.list()) {
    if (!s.scheduleId.startsWith(PREFIX) || s.scheduleId === PREFIX) continue;
    if (s.action !== undefined && s.action.workflowType !== PLAN_WORKFLOW_TYPE) continue;
    names.push(s.scheduleId.slice(PREFIX.length));
  }
  const out: AppliedPlan[] = [];
  for (const name of names.sort()) {
    const p = await appliedPlan(client, name);
    if (p !== undefined) out.push(p);
  }
  return out;
}
