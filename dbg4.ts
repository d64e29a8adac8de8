import { buildSearchIndex } from './src/index/buildSearchIndex.js';
import { syntheticCorpus } from './tests/bench/syntheticCorpus.js';
const docs = syntheticCorpus({ documents: 2000, seed: 1 }, () => {});
let t = performance.now();
buildSearchIndex(docs);
console.log('build', Math.round(performance.now() - t));
