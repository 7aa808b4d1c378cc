// Custom search attributes snapcopy keeps current on every copy, so the Temporal UI's workflow list can
// be filtered ("SnapcopyTargetRegion = 'us-west-2' AND SnapcopyPhase = 'copying'") and read at a glance.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const SA_SOURCE_REGION = defineSearchAttributeKey('SnapcopySourceRegion', SearchAttributeType.KEYWORD);
export const SA_TARGET_REGION = defineSearchAttributeKey('SnapcopyTargetRegion', SearchAttributeType.KEYWORD);
export const SA_SOURCE_CLUSTER = defineSearchAttributeKey(
  'SnapcopySourceCluster',
  SearchAttributeType.KEYWORD,
);
/** Set by Temporal Schedules on the runs they start: the scheduled time (which names targets and plan runs). */
export const SCHEDULED_START_TIME = defineSearchAttributeKey(
  'TemporalScheduledStartTime',
  SearchAttributeType.DATETIME,
);
export const SA_PHASE = defineSearchAttributeKey('SnapcopyPhase', SearchAttributeType.KEYWORD);
export const SA_PERCENT = defineSearchAttributeKey('SnapcopyPercent', SearchAttributeType.INT);

export const SEARCH_ATTRIBUTES = [
  SA_SOURCE_REGION,
  SA_TARGET_REGION,
  SA_SOURCE_CLUSTER,
  SA_PHASE,
  SA_PERCENT,
];

/** `temporal` CLI spelling of a search attribute type (`--search-attribute Name=Keyword`). */
export function cliTypeName(type: SearchAttributeType): string {
  const names: Record<string, string> = {
    [SearchAttributeType.KEYWORD]: 'Keyword',
    [SearchAttributeType.INT]: 'Int',
    [SearchAttributeType.TEXT]: 'Text',
    [SearchAttributeType.DOUBLE]: 'Double',
    [SearchAttributeType.BOOL]: 'Bool',
    [SearchAttributeType.DATETIME]: 'Datetime',
    [SearchAttributeType.KEYWORD_LIST]: 'KeywordList',
  };
  return names[type] ?? 'Keyword';
}
