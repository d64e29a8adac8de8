/** The bench report as readable text: one aligned table per section, numbers rounded for reading. */
import type { EvalReport } from '../support/questionSet.js';
import type { EndToEndReport } from './endToEnd.js';
import type { QualityReport } from './quality.js';
import type { ScaleReport } from './scale.js';

export interface BenchReport {
  meta: { node: string; cpus: number; cpuModel: string; date: string; wallMs: number; corpora: string; queries: string };
  quality: QualityReport;
  scale: ScaleReport[];
  endToEnd: EndToEndReport;
}

/** `digits` significant digits, without exponent notation. */
const significant = (value: number, digits = 3) => String(Number(value.toPrecision(digits)));
export const formatMs = (ms: number) => (ms < 1000 ? `${significant(ms)} ms` : `${significant(ms / 1000)} s`);
/** Below 1 MB (the article's indexes), kB: one decimal of MB would round them to nothing. */
export const formatMB = (mb: number) => (Math.abs(mb) < 1 ? `${Math.round(mb * 1024)} kB` : `${mb.toFixed(1)} MB`);
const formatRate = (perSecond: number) => `${significant(perSecond)}/s`;
const formatRatio = (engine: number, baseline: number) => `${significant(engine / baseline, 2)}×`;
const formatCount = (count: number) => count.toLocaleString('en-US');
const fraction = (part: number, whole: number) => `${part}/${whole}`;

/** Columns padded to their widest cell: the first left-aligned, the others right-aligned (numbers). */
export function formatTable(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  return rows
    .map((row) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ').trimEnd())
    .join('\n');
}

function qualitySection({ engine, baseline }: QualityReport): string {
  const row = (label: string, value: (report: EvalReport) => string) => [label, value(engine), value(baseline)];
  const kinds = Object.keys(engine.byKind);
  return formatTable([
    ['', 'engine', 'baseline'],
    row('top-1 correct (answerable)', (r) => fraction(r.top1, r.answerable)),
    row('top-3 correct', (r) => fraction(r.top3, r.answerable)),
    row('correctly declined (unanswerable)', (r) => fraction(r.abstained, r.unanswerable)),
    row('wrongly declined (answerable)', (r) => fraction(r.falseAbstentions, r.answerable)),
    row('median quote (characters)', (r) => String(r.medianQuoteChars)),
    ...kinds.map((kind) => row(`  ${kind}`, (r) => fraction(r.byKind[kind]!.correct, r.byKind[kind]!.total))),
  ]);
}

function latencySection(scale: ScaleReport[]): string {
  return formatTable([
    ['corpus', 'docs', 'passages', 'queries', 'engine p50', 'p99', 'q/s', 'baseline p50', 'p99', 'q/s', 'p50 e/b', 'p99 e/b'],
    ...scale.map(({ name, documents, passages, engine, baseline }) => [
      name,
      formatCount(documents),
      formatCount(passages),
      formatCount(engine.latency.queries),
      formatMs(engine.latency.p50Ms),
      formatMs(engine.latency.p99Ms),
      formatRate(engine.latency.perSecond),
      formatMs(baseline.latency.p50Ms),
      formatMs(baseline.latency.p99Ms),
      formatRate(baseline.latency.perSecond),
      formatRatio(engine.latency.p50Ms, baseline.latency.p50Ms),
      formatRatio(engine.latency.p99Ms, baseline.latency.p99Ms),
    ]),
  ]);
}

function buildSection(scale: ScaleReport[]): string {
  const table = formatTable([
    ['corpus', 'passages', 'engine build', 'heap', 'baseline build', 'heap', 'build e/b', 'heap e/b'],
    ...scale.map(({ name, passages, engine, baseline }) => [
      name,
      formatCount(passages),
      formatMs(engine.build.ms),
      formatMB(engine.build.heapMB),
      formatMs(baseline.build.ms),
      formatMB(baseline.build.heapMB),
      formatRatio(engine.build.ms, baseline.build.ms),
      formatRatio(engine.build.heapMB, baseline.build.heapMB),
    ]),
  ]);
  const persisted = scale.flatMap(({ name, persisted: p }) =>
    p
      ? [`${name}, engine's minisearch index persisted: toJSON ${formatMB(p.jsonMB)} in ${formatMs(p.saveMs)}; loadJSON ${formatMs(p.loadMs)} (${formatMB(p.loadedHeapMB)} heap) vs rebuild ${formatMs(p.rebuildMs)} (passages and term statistics would need saving too)`]
      : [],
  );
  return [table, ...persisted].join('\n');
}

function endToEndSection(e: EndToEndReport): string {
  return formatTable([
    ['interactions', 'concurrency', 'p50', 'p99', 'throughput', 'errors', 'RSS before', 'RSS after', 'heap before', 'heap after'],
    [formatCount(e.interactions), String(e.concurrency), formatMs(e.p50Ms), formatMs(e.p99Ms), formatRate(e.perSecond), String(e.errors), formatMB(e.rssBeforeMB), formatMB(e.rssAfterMB), formatMB(e.heapBeforeMB), formatMB(e.heapAfterMB)],
  ]);
}

export function formatReport(report: BenchReport): string {
  const { meta, quality } = report;
  return [
    `citebot bench: node ${meta.node}, ${meta.cpus} CPUs (${meta.cpuModel}), ${meta.date}, ${formatMs(meta.wallMs)} in all`,
    `Synthetic corpora: ${meta.corpora}`,
    `Synthetic queries: ${meta.queries}`,
    'e/b = engine ÷ baseline (below 1× the engine is faster or smaller). Baseline: minisearch defaults, raw paragraphs, no abstention.',
    '',
    `1. Answer quality on tests/fixtures/questions.json (${quality.engine.questions} questions)`,
    qualitySection(quality),
    '',
    '2. Query latency (engine: answerQuestion; baseline: miniSearch.search, top result), one thread',
    latencySection(report.scale),
    '',
    '3. Index build time (median) and heap it retains',
    buildSection(report.scale),
    '',
    '4. End to end: /ask through discord.js and the fake Discord (dispatch → callback), after one warm-up round',
    endToEndSection(report.endToEnd),
  ].join('\n');
}
