// A Temporal client for the CLI and scripts, from the same settings as the worker.
import { Client, Connection } from '@temporalio/client';
import { temporalSettings, type TemporalSettings } from '../temporal-connection';

export interface Connected {
  client: Client;
  settings: TemporalSettings;
  close(): Promise<void>;
}

export async function connectClient(env: NodeJS.ProcessEnv = process.env): Promise<Connected> {
  const settings = temporalSettings(env);
  const connection = await Connection.connect(settings.connectionOptions);
  const client = new Client({ connection, namespace: settings.namespace });
  return { client, settings, close: () => connection.close() };
}
