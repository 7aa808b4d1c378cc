// Real resources in the AWS emulator, made through the real SDK: the fixtures the demo, the bench and the
// chaos suite use too (scripts/lib/aws-fixtures.ts).
export {
  createCluster,
  createClusterSnapshot,
  createKey,
  createSnapshot,
  SOURCE_SNAPSHOT_TAGS,
} from '../../scripts/lib/aws-fixtures';
