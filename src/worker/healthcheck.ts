// The container's HEALTHCHECK (`node lib/worker/healthcheck.js`): the worker is alive when its metrics
// endpoint answers. With metrics off there is nothing to ask, so it reports healthy.
import { DEFAULT_METRICS_HOST, parseMetricsPort } from './config';

export interface Health {
  healthy: boolean;
  detail: string;
}

export async function checkHealth(env: NodeJS.ProcessEnv = process.env, timeoutMs = 3000): Promise<Health> {
  const port = parseMetricsPort(env.SNAPCOPY_METRICS_PORT?.trim() || undefined);
  if (port === undefined) return { healthy: true, detail: 'metrics off: nothing to check' };
  const configured = env.SNAPCOPY_METRICS_HOST?.trim() || DEFAULT_METRICS_HOST;
  // A wildcard bind answers on loopback; a specific address only on itself.
  const host = ['0.0.0.0', '::', '[::]'].includes(configured) ? '127.0.0.1' : configured;
  const url = `http://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}/metrics`;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return { healthy: res.ok, detail: `${url} answered ${res.status}` };
  } catch (err) {
    return { healthy: false, detail: `${url}: ${err instanceof Error ? err.message : String(err)}` };
  }
}

if (require.main === module) {
  checkHealth().then(
    (health) => {
      console.log(health.detail);
      process.exit(health.healthy ? 0 : 1);
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
