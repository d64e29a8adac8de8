/**
 * Keys for what the bot saves in CACHE_DIR: an explicit format version and the versions of the
 * libraries that shape the saved data. Saved data under another key is rebuilt rather than
 * trusted. The key never depends on the running code's files, so the source (tsx) and the build
 * (node dist/) share one saved index, and an edit that changes nothing saved (a comment) keeps it.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

/** The key for data in format `format` (a label bumped by hand when what is saved changes) made with `packages`. */
export function cacheKey(format: string, packages: readonly string[]): string {
  const hash = createHash('sha256').update(format);
  for (const name of packages) hash.update(`\n${name}@${packageVersion(name)}`);
  return hash.digest('hex').slice(0, 16);
}

/** The installed version of package `name`, read from the package.json above its entry file. */
export function packageVersion(name: string): string {
  for (let dir = path.dirname(require.resolve(name)); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (dir.endsWith(`${path.sep}${name.split('/').join(path.sep)}`))
      return (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  }
  return 'unknown';
}
