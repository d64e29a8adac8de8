/**
 * docs/benchmarks.md, written by `npm run bench` from its report: the figures with the date, the
 * machine and the commit they were measured at, so that the page is never edited by hand and a
 * reader can tell which code a figure belongs to.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatMs, formatReport, type BenchReport } from './table.js';

const REPOSITORY = fileURLToPath(new URL('../..', import.meta.url));
/** The repository's docs/benchmarks.md, wherever the bench is started from. */
export const BENCHMARKS_DOC = path.join(REPOSITORY, 'docs', 'benchmarks.md');

export interface GitState {
  /** `git rev-parse --short HEAD`, or 'unknown' outside a git checkout. */
  commit: string;
  /** Uncommitted changes to tracked files, or files not yet tracked: the figures may not be the commit's. */
  dirty: boolean;
}

/** The commit the working tree is at, and whether it differs from it. */
export function gitState(cwd = REPOSITORY): GitState {
  const git = (...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    return { commit: git('rev-parse', '--short', 'HEAD'), dirty: git('status', '--porcelain', '--untracked-files=normal') !== '' };
  } catch {
    return { commit: 'unknown', dirty: false };
  }
}

/** The page: what it is, when, where and at which commit it was measured, then the report's sections. */
export function benchmarksMarkdown(report: BenchReport, git: GitState, command = 'npm run bench'): string {
  const { meta } = report;
  const commit =
    git.commit === 'unknown' ? 'an unknown commit (not a git checkout)' : `commit \`${git.commit}\`${git.dirty ? ' with uncommitted changes' : ''}`;
  return [
    '# Benchmarks',
    '',
    `Written by \`${command}\` (tests/bench/run.ts); do not edit by hand, run the bench again. ` +
      'Figures vary between runs on a shared machine, so compare the ratios measured in one run rather than figures from different runs.',
    '',
    `Measured ${meta.date} at ${commit}: Node ${meta.node}, ${meta.cpus} CPUs (${meta.cpuModel}), ${formatMs(meta.wallMs)} in all.`,
    '',
    formatReport(report, 'markdown'),
    '',
  ].join('\n');
}

/** Writes the page (and its folder if missing); returns where. */
export function writeBenchmarksDoc(report: BenchReport, options: { file?: string; git?: GitState; command?: string } = {}): string {
  const file = options.file ?? BENCHMARKS_DOC;
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, benchmarksMarkdown(report, options.git ?? gitState(), options.command));
  return file;
}
