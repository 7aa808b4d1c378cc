// The copy workflow's patches (`patched()` IDs): each tells histories recorded before a change apart, so
// that copies started by an earlier version finish on this one as they began.

/**
 * Copies started since copy slots exist take a slot from the Region's copySlots scheduler instead of
 * retrying CopyDBClusterSnapshot, and keep their history lean (local activities for quick reads, only
 * lasting phases as search attributes). Earlier histories replay without it.
 */
export const COPY_SLOTS_PATCH = 'copy-slots';

/**
 * Copies started since each side may use the worker's own credentials learn both accounts before their slot
 * (so a queued copy of any source form makes no AWS call), and hold a share through the source's sourceShare
 * workflow (kept until the last copy that needs it ends). Earlier histories replay without it.
 */
export const ACCOUNTS_PATCH = 'accounts-per-side';

/**
 * Copies started since a copy's short waits are spent in one activity (followTargetSnapshot): their one marker
 * stands for the two above as well, so a new copy records one patch instead of three.
 */
export const FOLLOW_IN_ACTIVITY_PATCH = 'follow-in-activity';

/**
 * Copies started since arrival at scale was made lean: the copy itself is started by a local activity
 * (startCopy: one marker instead of an activity's three events and the workflow task after it), and a copy
 * into another account takes its destination's slot before it describes and shares its source (giving the
 * slot back, keeping its place, while an intermediate copy runs), so queued copies make no AWS call. Its one
 * marker stands for all those above, so a new copy still records one patch.
 */
export const LEAN_ARRIVAL_PATCH = 'lean-arrival';
