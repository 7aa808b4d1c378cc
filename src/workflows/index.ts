// Everything the worker bundles into the workflow sandbox.
export { copyDbClusterSnapshot } from './copy-db-cluster-snapshot';
export type { CopyState } from './copy-db-cluster-snapshot';
export { copySlots, type CopySlotsInput } from './copy-slots';
export { runCopyPlan } from './run-copy-plan';
export { sourceShare, type SourceShareInput } from './source-share';
export { cancelSignal, progressQuery } from '../shared/contract';
export { verifyCopy } from './verify-copy';
export type { VerifyState } from './verify-copy';
export { auditPlan } from './audit-plan';
