// `snapcopy setup`, what it prints. Pure.
import type { SetupReport } from './report';

export function renderSetup(r: SetupReport): string {
  return [
    ...r.searchAttributes.map((a) => `${a.name} (${a.type}): ${a.state}`),
    `namespace ${r.namespace} is ready for snapcopy`,
  ].join('\n');
}
