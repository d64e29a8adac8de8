/** An extraction worker that keeps taking memory (as a parse of a hostile page might): for the memory limit's test. */
const kept: string[][] = [];
for (;;) kept.push(Array.from({ length: 100_000 }, (_, i) => `${i}-${kept.length}`));
