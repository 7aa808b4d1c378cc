// Everything the worker bundles into the workflow sandbox.
export { copyDbClusterSnapshot } from './copy-db-cluster-snapshot';
export { cancelSignal, progressQuery } from '../shared/contract';
export type { CopyRunState } from './copy-db-cluster-snapshot';
