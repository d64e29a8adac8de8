import { describe, expect, it } from 'vitest';
import { cacheKey, packageVersion } from '../../src/cache/cacheKey.js';
import { INDEX_CACHE_KEY, INDEX_FORMAT, INDEX_PACKAGES } from '../../src/index/snapshot.js';

describe('cacheKey', () => {
  it("is the saved index's format and the versions of the libraries that shape it", () => {
    expect(INDEX_CACHE_KEY).toBe(cacheKey(INDEX_FORMAT, INDEX_PACKAGES));
    expect(cacheKey('snapshot-format-0', INDEX_PACKAGES)).not.toBe(INDEX_CACHE_KEY);
    expect(cacheKey(INDEX_FORMAT, INDEX_PACKAGES.slice(1))).not.toBe(INDEX_CACHE_KEY);
  });

  it("reads each package's installed version", () => {
    expect(packageVersion('minisearch')).toMatch(/^\d+\.\d+\.\d+/);
    expect(packageVersion('@tensorflow/tfjs-core')).toMatch(/^\d+\.\d+\.\d+/);
  });
});
