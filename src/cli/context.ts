// What every command needs: output (text or JSON), the Temporal connection (made on first use, closed at the
// end), the task queue and the Temporal UI address.
import { DEFAULT_TASK_QUEUE } from '../shared/names';
import { temporalSettings } from '../temporal-connection';
import { connectClient, type Connected } from './connect';
import { CliError, EXIT, oneLine } from './errors';
import type { CliIo } from './io';

export interface GlobalOptions {
  debug?: boolean;
  /** Seconds. */
  connectTimeout?: number;
}

/** The Temporal UI of the local stack (port 8233): used when Temporal is the local dev server on 7233. */
const LOCAL_UI = 'http://localhost:8233';
const LOCAL_ADDRESSES = new Set(['localhost:7233', '127.0.0.1:7233']);

export class CliContext {
  /** What the command ends with; commands set it when they end other than with success. */
  exitCode: number = EXIT.ok;
  globals: () => GlobalOptions = () => ({});
  private connected: Promise<Connected> | undefined;

  constructor(
    readonly io: CliIo,
    readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  /** A line (or lines) on stdout. */
  out(text: string): void {
    this.io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** A note for people on stderr (never part of --json output). */
  note(text: string): void {
    this.io.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  json(value: unknown): void {
    this.out(JSON.stringify(value, null, 2));
  }

  get taskQueue(): string {
    return this.env.SNAPCOPY_TASK_QUEUE || DEFAULT_TASK_QUEUE;
  }

  /** The Temporal connection, made once; a failure says where it tried to connect. */
  temporal(): Promise<Connected> {
    this.connected ??= this.connect();
    return this.connected;
  }

  private async connect(): Promise<Connected> {
    const timeout = this.globals().connectTimeout;
    try {
      return await connectClient(this.env, timeout === undefined ? {} : { connectTimeout: timeout * 1000 });
    } catch (err) {
      const settings = temporalSettings(this.env);
      throw new CliError(
        `cannot connect to Temporal at ${settings.connectionOptions.address} (namespace ${settings.namespace}): ` +
          `${oneLine(err instanceof Error ? err.message : String(err))}; set TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE, ` +
          'or start the local stack with `npm run stack:up`',
      );
    }
  }

  /** The Temporal UI page of a workflow: TEMPORAL_UI_URL, or the local stack's UI for a local dev server. */
  workflowUrl(settings: Connected['settings'], workflowId: string): string | undefined {
    const base =
      this.env.TEMPORAL_UI_URL ||
      (LOCAL_ADDRESSES.has(settings.connectionOptions.address) ? LOCAL_UI : undefined);
    if (!base) return undefined;
    return `${base.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(settings.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
  }

  async close(): Promise<void> {
    const connected = this.connected;
    this.connected = undefined;
    if (!connected) return;
    try {
      await (await connected).close();
    } catch {
      // never connected, or already closed
    }
  }
}
