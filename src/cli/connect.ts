// A Temporal client for the CLI and scripts, from the same settings as the worker.
import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import { temporalSettings, type TemporalSettings } from '../temporal-connection';

export interface Connected {
  client: Client;
  settings: TemporalSettings;
  close(): Promise<void>;
}

/** Overrides of the connection settings (the CLI's --connect-timeout). */
export type ConnectOverrides = Pick<ConnectionOptions, 'connectTimeout'>;

export async function connectClient(
  env: NodeJS.ProcessEnv = process.env,
  overrides: ConnectOverrides = {},
): Promise<Connected> {
  const settings = temporalSettings(env);
  const connection = await Connection.connect({ ...settings.connectionOptions, ...overrides });
  const client = new Client({ connection, namespace: settings.namespace });
  return { client, settings, close: () => connection.close() };
}
