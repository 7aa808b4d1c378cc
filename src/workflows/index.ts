// Everything the worker bundles into the workflow sandbox.
export { copyDbClusterSnapshot, cancelSignal, progressQuery } from './copy-db-cluster-snapshot';
export type { CopyRunState } from './copy-db-cluster-snapshot';
