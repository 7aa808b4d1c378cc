// Where the bench writes: bench/results/ (git-ignored).
import path from 'node:path';
import { ROOT } from '../lib/paths';

export const RESULTS_DIR = path.join(ROOT, 'bench/results');
