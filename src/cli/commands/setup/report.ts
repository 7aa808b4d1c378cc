// `snapcopy setup`, the report: registers snapcopy's custom search attributes on the namespace through the
// operator service, leaving those already there as they are, and says what it did or why it could not.
import type { Client } from '@temporalio/client';
import { SearchAttributeType } from '@temporalio/common';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { cliTypeName, SEARCH_ATTRIBUTES } from '../../../shared/search-attributes';
import { CliError, oneLine } from '../../errors';

export interface SetupReport {
  namespace: string;
  searchAttributes: { name: string; type: string; state: 'registered' | 'already registered' }[];
}

/** `SnapcopySourceRegion (Keyword), ...`: what setup registers. */
export function attributeListing(): string {
  return SEARCH_ATTRIBUTES.map((sa) => `${sa.name} (${cliTypeName(sa.type)})`).join(', ');
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

/** The `temporal` CLI name of an indexed value type as the operator service reports it. */
export function typeNameOf(indexed: number | undefined): string {
  const type = Object.values(SearchAttributeType).find(
    (t) => encodeSearchAttributeIndexedValueType(t) === indexed,
  );
  return type === undefined ? `type ${indexed}` : cliTypeName(type);
}

export async function setupNamespace(client: Client, namespace: string): Promise<SetupReport> {
  const operator = client.connection.operatorService;
  const wanted = SEARCH_ATTRIBUTES.map((sa) => ({ name: sa.name, type: sa.type }));
  try {
    const existing = (await operator.listSearchAttributes({ namespace })).customAttributes ?? {};
    const conflict = wanted.find((w) => {
      const type = existing[w.name];
      return type !== undefined && type !== encodeSearchAttributeIndexedValueType(w.type);
    });
    if (conflict) {
      throw new CliError(
        conflictMessage(
          namespace,
          conflict.name,
          typeNameOf(existing[conflict.name]),
          cliTypeName(conflict.type),
        ),
      );
    }
    const missing = wanted.filter((w) => existing[w.name] === undefined);
    if (missing.length > 0) {
      await operator.addSearchAttributes({
        namespace,
        searchAttributes: Object.fromEntries(
          missing.map((w) => [w.name, encodeSearchAttributeIndexedValueType(w.type) ?? 0]),
        ),
      });
    }
    const added = new Set(missing.map((m) => m.name));
    return {
      namespace,
      searchAttributes: wanted.map((w) => ({
        name: w.name,
        type: cliTypeName(w.type),
        state: added.has(w.name) ? 'registered' : 'already registered',
      })),
    };
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(refusedMessage(namespace, oneLine(err instanceof Error ? err.message : String(err))));
  }
}
