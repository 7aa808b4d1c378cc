// A copy's priority (options.priority), apart from the slot contract: the input schemas need it and are
// shared by every workflow in a worker (see worker/bundle.ts), so they must not pull in @temporalio/workflow.

/** options.priority: 1 (highest) … 5 (lowest), as Temporal's own priority keys; FIFO within a priority. */
export const HIGHEST_PRIORITY = 1;
export const LOWEST_PRIORITY = 5;
export const DEFAULT_PRIORITY = 3;
