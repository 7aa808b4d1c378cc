// Browser: the Temporal UI of the dev server, in Debian's headless Chromium driven by playwright-core,
// finds a running copy by its search attributes and shows its progress (current details and search
// attributes). Real parts throughout: dev server with UI, AWS emulator, in-process snapcopy worker.
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import type { WorkflowHandle } from '@temporalio/client';
import { defaultWorkflowId } from '../../src/shared/names';
import { progressQuery } from '../../src/shared/contract';
import { copyDbClusterSnapshot } from '../../src/workflows';
import { createClusterSnapshot, createKey } from '../helpers/aws-fixtures';
import { ensureChromium, launchChromium } from '../helpers/browser';
import { freePort } from '../helpers/net';
import { startLocalStack, type LocalStack } from '../helpers/local-stack';
import { waitForProgress } from '../helpers/wait';

// 100% in 150 s: about 1% every 1.5 s, so the copy is visibly moving but never finishes during the test.
const COPY_SECONDS = 150;
// SnapcopyPercent is upserted in 5% steps: from 5% on, the search attribute is above 0 as well.
const MIN_PERCENT = 5;
const RUN = Date.now().toString(36);
const CLUSTER = `ui-aurora-${RUN}`;
const TARGET = `ui-aurora-${RUN}-dr`;
const WORKFLOW_ID = defaultWorkflowId('us-west-2', TARGET);
const NAMESPACE = 'default';
// The dev server's visibility store is eventually consistent: a list may lag the workflow a little.
const VISIBILITY_TIMEOUT_MS = 20_000;
const UI_TIMEOUT_MS = 15_000;

let stack: LocalStack | undefined;
let browser: Browser | undefined;
let context: BrowserContext | undefined;
let page: Page;
let uiUrl: string;
let handle: WorkflowHandle<typeof copyDbClusterSnapshot>;

beforeAll(async () => {
  // Chromium first: on a fresh machine it is installed with apt, before any server is running.
  await ensureChromium();
  stack = await startLocalStack({ copySeconds: COPY_SECONDS }, { uiPort: await freePort() });
  if (!stack.uiUrl) throw new Error('the local stack was started without its UI');
  uiUrl = stack.uiUrl;

  const sourceKey = await createKey(stack.kms('us-east-1'));
  const sourceArn = await createClusterSnapshot(
    stack.rds('us-east-1'),
    CLUSTER,
    `${CLUSTER}-snap`,
    sourceKey.keyArn,
  );
  const targetKey = await createKey(stack.kms('us-west-2'));
  handle = await stack.env.client.workflow.start(copyDbClusterSnapshot, {
    taskQueue: stack.taskQueue,
    workflowId: WORKFLOW_ID,
    args: [
      {
        SourceDBClusterSnapshotIdentifier: sourceArn,
        TargetDBClusterSnapshotIdentifier: TARGET,
        SourceRegion: 'us-east-1',
        TargetRegion: 'us-west-2',
        KmsKeyId: targetKey.keyArn,
        options: { minPollSeconds: 1, maxPollSeconds: 2 },
      },
    ],
  });

  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  context.setDefaultTimeout(UI_TIMEOUT_MS);
  page = await context.newPage();
  // The copy is running and has made visible progress (percent and search attribute above 0).
  await waitForProgress(
    handle,
    (p) => p.phase === 'copying' && p.percent >= MIN_PERCENT,
    'the copy did not reach the expected progress',
    { timeoutMs: 40_000, intervalMs: 250 },
  );
}, 300_000);

afterEach(async ({ task }) => {
  if (task.result?.state !== 'fail' || !context) return;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'snapcopy-ui-'));
  const base = path.join(dir, task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60));
  for (const p of context.pages()) {
    await p.screenshot({ path: `${base}.png`, fullPage: true }).catch(() => undefined);
    await writeFile(`${base}.html`, await p.content().catch(() => '')).catch(() => undefined);
  }
  console.error(`Temporal UI at ${page.url()} when "${task.name}" failed: ${base}.png`);
});

afterAll(async () => {
  await context?.close().catch(() => undefined);
  await browser?.close();
  if (stack) {
    await handle?.terminate('browser test done').catch(() => undefined);
    await stack.stop();
  }
});

function listUrl(query: string): string {
  return `${uiUrl}/namespaces/${NAMESPACE}/workflows?query=${encodeURIComponent(query)}`;
}

function workflowLink(): Locator {
  return page.getByRole('link', { name: WORKFLOW_ID, exact: true });
}

/** Opens the workflow list for `query` and reports what it shows once it has loaded. */
async function listShows(query: string): Promise<'row' | 'empty'> {
  await page.goto(listUrl(query), { waitUntil: 'domcontentloaded' });
  const noResults = page.getByRole('heading', { name: 'No Workflows Found' });
  await workflowLink().or(noResults).first().waitFor();
  return (await workflowLink().isVisible()) ? 'row' : 'empty';
}

/** The list page's title, "<count> Workflow(s)". */
async function workflowCount(): Promise<string> {
  const title = await page.getByRole('heading', { level: 1 }).innerText();
  return title.replace(/\s+/g, ' ').trim();
}

/** The list for `query` shows the copy, once visibility has caught up. */
async function expectListed(query: string): Promise<void> {
  await expect.poll(() => listShows(query), { timeout: VISIBILITY_TIMEOUT_MS, interval: 500 }).toBe('row');
}

/** The number in "copying — N%, about ... left" (the first line of the workflow's current details). */
async function currentDetailsPercent(): Promise<number> {
  const details = page.frameLocator('iframe#user-metadata-current-details');
  const headline = details.getByText(/copying — \d+%/);
  const text = await headline.innerText();
  const match = /copying — (\d+)%/.exec(text);
  if (!match?.[1]) throw new Error(`unexpected current details: ${text}`);
  return Number(match[1]);
}

describe('Temporal UI (headless Chromium)', () => {
  it('serves the web UI of the dev server', async () => {
    const response = await page.goto(`${uiUrl}/namespaces/${NAMESPACE}/workflows`);
    expect(response?.ok()).toBe(true);
    await page.getByRole('link', { name: 'Workflows' }).first().waitFor();
    // The empty list shows a second "Start Workflow" button: either one will do.
    await page.getByRole('button', { name: 'Start Workflow' }).first().waitFor();
  });

  it('finds the running copy by its source cluster search attribute', async () => {
    await expectListed(`SnapcopySourceCluster="${CLUSTER}" AND ExecutionStatus="Running"`);
    expect(await workflowLink().getAttribute('href')).toContain(`/workflows/${WORKFLOW_ID}/`);
    await expect.poll(() => workflowCount()).toBe('1 Workflow');
    const row = page.getByRole('row').filter({ has: workflowLink() });
    await expect.poll(() => row.innerText()).toContain('RUNNING');
    expect(await row.innerText()).toContain('copyDbClusterSnapshot');
  });

  it('finds it by phase and percent, and not by filters it does not match', async () => {
    await expectListed(
      `SnapcopySourceCluster="${CLUSTER}" AND SnapcopyPhase="copying" AND SnapcopyPercent > 0`,
    );
    // Visibility has the copy indexed by now: these lists are empty because the filters exclude it.
    expect(await listShows(`SnapcopySourceCluster="${CLUSTER}-other" AND ExecutionStatus="Running"`)).toBe(
      'empty',
    );
    expect(await listShows(`SnapcopySourceCluster="${CLUSTER}" AND SnapcopyPhase="completed"`)).toBe('empty');
    expect(await workflowLink().count()).toBe(0);
    await expect.poll(() => workflowCount()).toBe('0 Workflows');
  });

  it('opens the copy from the list and shows its progress in the current details', async () => {
    // Progress only rises: what the UI shows later is at least what the workflow reports now.
    const before = (await handle.query(progressQuery)).percent;
    await expectListed(`SnapcopySourceCluster="${CLUSTER}" AND ExecutionStatus="Running"`);
    await workflowLink().click();
    await page.waitForURL((url) => url.pathname.includes(`/workflows/${WORKFLOW_ID}/`));
    await page.getByRole('heading', { level: 1, name: WORKFLOW_ID }).waitFor();
    await page
      .getByText(/^running$/i)
      .first()
      .waitFor();

    await page.getByRole('tab', { name: 'User Metadata' }).click();
    await page.getByRole('heading', { name: 'Current Details' }).waitFor();
    const shown = await currentDetailsPercent();
    const after = (await handle.query(progressQuery)).percent;
    // The UI asked the workflow for its current details between the two queries.
    expect(shown).toBeGreaterThanOrEqual(Math.max(before, MIN_PERCENT));
    expect(shown).toBeLessThanOrEqual(after);

    // The details are a snapshot: "R" fetches them again, and the copy has moved on.
    await expect
      .poll(
        async () => {
          await page.keyboard.press('r');
          return currentDetailsPercent();
        },
        { timeout: UI_TIMEOUT_MS, interval: 1_000 },
      )
      .toBeGreaterThan(shown);
  });

  it('shows the search attributes the list was filtered by', async () => {
    await page.goto(`${uiUrl}/namespaces/${NAMESPACE}/workflows/${WORKFLOW_ID}`);
    await page.getByRole('tab', { name: 'Search Attributes' }).click();
    const json = page.getByRole('textbox', { name: 'Search Attributes' });
    const attributes = JSON.parse(await json.innerText()) as Record<string, unknown>;
    expect(attributes).toMatchObject({
      SnapcopySourceCluster: CLUSTER,
      SnapcopySourceRegion: 'us-east-1',
      SnapcopyTargetRegion: 'us-west-2',
      SnapcopyPhase: 'copying',
    });
    const percent = attributes.SnapcopyPercent;
    expect(typeof percent).toBe('number');
    expect(percent).toBeGreaterThanOrEqual(MIN_PERCENT);
    expect(percent).toBeLessThanOrEqual((await handle.query(progressQuery)).percent);
  });
});
