// `npx tsx scripts/bench/summary.ts [bench/results/<timestamp>.json]`: a bench run's figures as Markdown
// tables for the README (the newest results file when none is given).
import fs from 'node:fs';
import path from 'node:path';
import { RESULTS_DIR } from './paths';
import { markdownScenario, type ScenarioResult } from './report';

interface ResultsFile {
  command: string;
  startedAt: string;
  git: { commit: string; uncommittedSources: string[] };
  machine: { cpus: number; node: string };
  scenarios: ScenarioResult[];
}

const newest = () =>
  fs
    .readdirSync(RESULTS_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => path.join(RESULTS_DIR, f))
    .pop();
const file = process.argv[2] ?? newest();
if (!file) throw new Error(`no results in ${RESULTS_DIR}: run npm run bench first`);
const results = JSON.parse(fs.readFileSync(file, 'utf8')) as ResultsFile;
const dirty = results.git.uncommittedSources.length
  ? ` (plus uncommitted ${results.git.uncommittedSources.join(', ')})`
  : '';
console.log(
  [
    `\`${results.command}\`, ${results.startedAt.slice(0, 16).replace('T', ' ')} UTC, at ${results.git.commit.split(' ')[0]}${dirty}; ${results.machine.cpus} cores, Node ${results.machine.node}.`,
    ...results.scenarios.map(markdownScenario),
  ].join('\n\n'),
);
