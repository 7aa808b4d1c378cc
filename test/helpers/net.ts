// Ports for test servers: scripts/lib/net.ts, as the local stack, the bench and the chaos suite use it.
export { freePort } from '../../scripts/lib/net';
