// The bench's floor workflow (scripts/bench/floor.ts): it does nothing, so its one workflow task's latency
// is Temporal's and the machine's alone.
export async function benchFloor(): Promise<void> {}
