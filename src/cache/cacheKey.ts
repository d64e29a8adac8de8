/**
 * Keys for what the bot saves in CACHE_DIR: a hash of the code that produced it and of the
 * versions of the libraries that code uses. Saved data under another key was made by other code,
 * so it is rebuilt rather than trusted; no version number has to be remembered by hand.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The key for data made by `modules` (paths relative to `from`, a module's `import.meta.url`,
 * without extension: the running build's own files are hashed, .ts or .js) and `packages`.
 */
export function codeKey(label: string, from: string, modules: readonly string[], packages: readonly string[]): string {
  const hash = createHash('sha256').update(label);
  const here = path.dirname(fileURLToPath(from));
  const extension = path.extname(fileURLToPath(from));
  for (const module of modules) hash.update(readFileSync(path.join(here, `${module}${extension}`)));
  const require = createRequire(from);
  for (const name of packages) hash.update(`${name}@${packageVersion(require, name)}`);
  return hash.digest('hex').slice(0, 16);
}

/** The installed version of package `name`, read from the package.json above its entry file. */
function packageVersion(require: NodeJS.Require, name: string): string {
  for (let dir = path.dirname(require.resolve(name)); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (dir.endsWith(`${path.sep}${name.split('/').join(path.sep)}`)) return (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  }
  return 'unknown';
}
