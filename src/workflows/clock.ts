// The workflow clock, for every workflow: inside the sandbox Date is Temporal's deterministic workflow time
// (the time of the current workflow task), so these are safe to call from workflow code and replay the same.
export const now = (): number => new Date().getTime();
export const iso = (ms: number = now()): string => new Date(ms).toISOString();
