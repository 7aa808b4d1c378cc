// `snapcopy setup`, what it prints. Pure.
import { cliTypeName, SEARCH_ATTRIBUTES } from '../../../shared/search-attributes';
import type { SetupReport } from './report';

/** `SnapcopySourceRegion (Keyword), ...`: what setup registers. */
export function attributeListing(): string {
  return SEARCH_ATTRIBUTES.map((sa) => `${sa.name} (${cliTypeName(sa.type)})`).join(', ');
}

export function renderSetup(r: SetupReport): string {
  return [
    ...r.searchAttributes.map((a) => `${a.name} (${a.type}): ${a.state}`),
    `namespace ${r.namespace} is ready for snapcopy`,
  ].join('\n');
}

export function conflictMessage(namespace: string, name: string, actual: string, needed: string): string {
  return (
    `search attribute ${name} exists in namespace ${namespace} as ${actual}, ` +
    `but snapcopy needs ${needed}: remove or rename it, then run setup again`
  );
}

export function refusedMessage(namespace: string, why: string): string {
  return (
    `could not register search attributes in namespace ${namespace}: ${why}; on Temporal Cloud add them with ` +
    `tcld or the Cloud UI: ${attributeListing()}`
  );
}
