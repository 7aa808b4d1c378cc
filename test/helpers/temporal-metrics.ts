// Temporal SDK metrics (sdk-core's, prefixed `temporal_`) that the worker's Prometheus endpoint is proven to
// serve: test/worker/tuning-metrics.test.ts asserts each of them on a real worker's scrape. Anything built on
// Temporal's metrics (deploy/grafana/snapcopy.json, checked by test/deploy/grafana-dashboard.test.ts) may use
// only these; add a name here only together with that assertion.

/** Gauges (and counters), served under these names. */
export const TEMPORAL_GAUGES = [
  'temporal_worker_task_slots_available',
  'temporal_worker_task_slots_used',
  'temporal_num_pollers',
  'temporal_sticky_cache_size',
] as const;

/** Histograms, served as `<name>_bucket`, `<name>_sum` and `<name>_count` (durations in milliseconds). */
export const TEMPORAL_HISTOGRAMS = ['temporal_workflow_task_execution_latency'] as const;

/** Every series name the above are served under. */
export function temporalSeriesNames(): string[] {
  return [
    ...TEMPORAL_GAUGES,
    ...TEMPORAL_HISTOGRAMS.flatMap((h) => [`${h}_bucket`, `${h}_sum`, `${h}_count`]),
  ];
}
