// The container HEALTHCHECK: healthy while the worker's metrics endpoint answers.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkHealth } from '../../src/worker/healthcheck';
import { freePort } from '../helpers/net';

describe('checkHealth', () => {
  let server: http.Server;
  let port: number;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      res.writeHead(req.url === '/metrics' ? 200 : 404).end('temporal_num_pollers 1\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('is healthy when /metrics answers, asking loopback for a wildcard bind', async () => {
    expect(await checkHealth({ SNAPCOPY_METRICS_PORT: String(port) })).toEqual({
      healthy: true,
      detail: `http://127.0.0.1:${port}/metrics answered 200`,
    });
  });

  it('is unhealthy when nothing listens', async () => {
    const health = await checkHealth({ SNAPCOPY_METRICS_PORT: String(await freePort()) });
    expect(health.healthy).toBe(false);
  });

  it('has nothing to check with metrics off', async () => {
    expect((await checkHealth({ SNAPCOPY_METRICS_PORT: 'off' })).healthy).toBe(true);
  });
});
