/**
 * Saved data is keyed by its format and the versions of the libraries that shape it, never by
 * the running code's files: the source (tsx, as `npm run ask` runs) and the build (node dist/, as
 * `npm start` runs) share one saved index and one set of vectors, and an edit that changes nothing
 * saved keeps them.
 */
import { execFile } from 'node:child_process';
import { appendFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INDEX_CACHE_KEY } from '../../src/index/snapshot.js';
import { VECTORS_CACHE_KEY } from '../../src/semantic/SemanticIndex.js';
import { repoRoot } from '../support/discordSpec.js';

const run = promisify(execFile);

/** The keys as the build in `out` computes them, in a fresh node process (no tsx). */
async function builtKeys(out: string): Promise<string[]> {
  const module = (file: string) => JSON.stringify(pathToFileURL(path.join(out, file)).href);
  const script = `const [s, v] = await Promise.all([import(${module('index/snapshot.js')}), import(${module('semantic/SemanticIndex.js')})]); console.log(JSON.stringify([s.INDEX_CACHE_KEY, v.VECTORS_CACHE_KEY]));`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: repoRoot });
  return JSON.parse(stdout) as string[];
}

describe('cache keys', () => {
  let out: string;
  beforeAll(async () => {
    // Inside node_modules, so that the build resolves the installed packages as dist/ does.
    const parent = path.join(repoRoot, 'node_modules', '.cache');
    await mkdir(parent, { recursive: true });
    out = await mkdtemp(path.join(parent, 'citebot-build-'));
    await run(
      process.execPath,
      [
        path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'),
        '-p',
        'tsconfig.build.json',
        '--outDir',
        out,
        '--tsBuildInfoFile',
        path.join(out, '.tsbuildinfo'),
        '--sourceMap',
        'false',
      ],
      { cwd: repoRoot },
    );
  }, 180_000);
  afterAll(() => rm(out, { recursive: true, force: true }));

  it('are the same from the source and from the build', async () => {
    expect(await builtKeys(out)).toEqual([INDEX_CACHE_KEY, VECTORS_CACHE_KEY]);
  });

  it('do not change when the code that shapes the saved data is edited without changing it (a comment)', async () => {
    for (const file of [
      'text/analyze.js',
      'index/buildSearchIndex.js',
      'index/bulkLoad.js',
      'passages/splitIntoPassages.js',
      'semantic/embedder.js',
      'semantic/vectorStore.js',
    ]) {
      await appendFile(path.join(out, file), '\n// An edit that changes nothing saved.\n');
    }
    expect(await builtKeys(out)).toEqual([INDEX_CACHE_KEY, VECTORS_CACHE_KEY]);
  });
});
