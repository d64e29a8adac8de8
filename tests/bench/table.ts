/**
 * The bench report as readable text: one aligned table per section, numbers rounded for reading;
 * or the same as Markdown (GitHub tables), which docs/benchmarks.md is made of.
 */
import type { EvalReport } from '../support/questionSet.js';
import type { BotProcessReport } from './botProcess.js';
import type { BurstStats, EndToEndReport } from './endToEnd.js';
import type { ChatQuality, ChatSystem } from './chatQuality.js';
import { extractionRows, type ExtractionReport } from './extraction.js';
import type { FeedsBenchReport, Spread } from './feeds.js';
import type { HostsBenchReport } from './hosts.js';
import type { HttpBenchReport } from './http.js';
import type { QualityReport } from './quality.js';
import type { ScaleReport, SystemStats } from './scale.js';

export interface BenchReport {
  meta: { node: string; cpus: number; cpuModel: string; date: string; wallMs: number; corpora: string; queries: string };
  quality: QualityReport;
  /** Article extraction (tests/fixtures/extraction-dev), measured with answer quality. */
  extraction?: ExtractionReport;
  /** Sections 2–6 are left out by `--quality-only`. */
  scale?: ScaleReport[];
  endToEnd?: EndToEndReport[];
  botProcess?: BotProcessReport;
  http?: HttpBenchReport;
  feeds?: FeedsBenchReport;
  hosts?: HostsBenchReport;
}

/** How a section's rows become text: aligned columns for a terminal, or a Markdown table. */
export type TableFormat = (rows: string[][]) => string;

/** Issue 8's targets, printed beside the figures they apply to. */
export const TARGETS = {
  /** The ratios to naive minisearch apply from this many passages. */
  scalePassages: 100_000,
  p99VsBaseline: 0.015,
  buildVsBaseline: 0.8,
  heapVsBaseline: 0.8,
  warmFirstAnswerMs: 10_000,
  /** What to aim for, beyond the target. */
  warmFirstAnswerAimMs: 2_000,
  coldGatewayMs: 10_000,
  reloadWorstMs: 300,
  burstP99Ms: 1_000,
  /** /ask end to end at concurrency 50 with the semantic stage, on the bundled article (issue 9). */
  semanticAskP99Ms: 150,
  /** The chat-style set's held-out half, answered by the engine (issue 17): share right, answers shown wrongly. */
  chatRight: 0.9,
  chatPublicWrong: 1,
} as const;

/** "≤ limit ✓", or "≤ limit ✗" saying how far over it is; "✗ (no figure)" when nothing was measured. */
export function againstLimit(value: number, limit: number, format: (value: number) => string): string {
  if (!Number.isFinite(value)) return `≤ ${format(limit)} ✗ (no figure)`;
  if (value <= limit) return `≤ ${format(limit)} ✓`;
  const ratio = value / limit;
  return `≤ ${format(limit)} ✗ (${ratio < 2 ? `${Math.max(1, Math.round((ratio - 1) * 100))} % over` : `${significant(ratio, 2)}×`})`;
}

/** `digits` significant digits, without exponent notation. */
const significant = (value: number, digits = 3) => String(Number(value.toPrecision(digits)));
/** "—" when there is no figure (no successful sample; NaN, which JSON writes as null). */
export const formatMs = (ms: number) => (!Number.isFinite(ms) ? '—' : ms < 1000 ? `${significant(ms)} ms` : `${significant(ms / 1000)} s`);
/** Below 1 MB (the article's indexes), kB: one decimal of MB would round them to nothing. */
export const formatMB = (mb: number) => (Math.abs(mb) < 1 ? `${Math.round(mb * 1024)} kB` : `${mb.toFixed(1)} MB`);
const formatRate = (perSecond: number) => `${significant(perSecond)}/s`;
const formatRatio = (engine: number, baseline: number) => `${significant(engine / baseline, 2)}×`;
const formatCount = (count: number) => count.toLocaleString('en-US');
const formatBytes = (bytes: number) => (bytes < 1024 ? `${Math.round(bytes)} B` : formatMB(bytes / 1024 / 1024));
const fraction = (part: number, whole: number) => `${part}/${whole}`;

/** Columns padded to their widest cell: the first left-aligned, the others right-aligned (numbers). */
export function formatTable(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** A GitHub Markdown table, the first row its header; `|` in a cell is escaped. */
export function markdownTable(rows: string[][]): string {
  const cell = (text: string) => (text === '' ? ' ' : text.replaceAll('|', '\\|'));
  const line = (row: string[]) => `| ${row.map(cell).join(' | ')} |`;
  const [header, ...body] = rows;
  return [line(header!), `|${header!.map((_, column) => (column === 0 ? ' --- ' : ' ---: ')).join('|')}|`, ...body.map(line)].join('\n');
}

/** The chat-style set's figures, a column per report: what tests/bench/chatEval.ts and the bench print. */
export function chatTable(columns: Array<[name: string, report: EvalReport]>, table: TableFormat = formatTable): string {
  const row = (label: string, value: (report: EvalReport) => string) => [label, ...columns.map(([, report]) => value(report))];
  return table([
    ['', ...columns.map(([name]) => name)],
    row('right (answerable)', (r) => fraction(r.top1, r.answerable)),
    row('off-topic declined', (r) => fraction(r.abstained, r.unanswerable)),
    row('public wrong (answered, not right)', (r) => String(r.publicWrong)),
    row('wrongly declined (answerable)', (r) => fraction(r.falseAbstentions, r.answerable)),
    ...Object.keys(columns[0]![1].byKind).map((kind) =>
      row(`  ${kind}`, (r) => (r.byKind[kind] ? fraction(r.byKind[kind]!.correct, r.byKind[kind]!.total) : '-')),
    ),
  ]);
}

function chatSection({ questions, halves, turnedAway }: ChatQuality, table: TableFormat): string[] {
  const engine = halves['held-out'].engine;
  const declinedAll = engine.abstained === engine.unanswerable;
  return [
    `chat-questions.json (${questions} questions typed as members type, on both corpora; answered by Library.answer: engine = words and meaning, lexical = SEMANTIC=off, baseline = naive minisearch)`,
    chatTable(
      (['tuning', 'held-out'] as const).flatMap((half) =>
        (Object.keys(halves[half]) as ChatSystem[]).map((system): [string, EvalReport] => [`${half} ${system}`, halves[half][system]]),
      ),
      table,
    ),
    `Targets (issue 17), held-out engine: right ≥ ${TARGETS.chatRight * 100} % ${engine.top1 >= TARGETS.chatRight * engine.answerable ? '✓' : '✗'}; ` +
      `off-topic all declined ${declinedAll ? '✓' : '✗'}; public wrong ${againstLimit(engine.publicWrong, TARGETS.chatPublicWrong, String)}`,
    ...(turnedAway > 0 ? [`${turnedAway} questions were answered by words alone (the encoder was busy): the engine's figures are not its own`] : []),
    '',
  ];
}

function qualitySection({ sets, chat, semanticCost }: QualityReport, table: TableFormat): string[] {
  const tables = sets.flatMap(({ name, halves }) => {
    const systems = ['engine', 'lexical', 'baseline'] as const;
    const cells = (value: (report: EvalReport) => string) =>
      (['all', 'tuning', 'held-out'] as const).flatMap((half) => systems.map((system) => value(halves[half][system])));
    const { all } = halves;
    const kinds = Object.keys(all.engine.byKind);
    return [
      `${name} (${all.engine.questions} questions; engine = words and meaning, lexical = SEMANTIC=off, baseline = naive minisearch)`,
      table([
        ['', ...(['all', 'tuning', 'held-out'] as const).flatMap((half) => systems.map((system) => `${half} ${system}`))],
        ['top-1 correct (answerable)', ...cells((r) => fraction(r.top1, r.answerable))],
        ['top-3 correct', ...cells((r) => fraction(r.top3, r.answerable))],
        ['correctly declined (unanswerable)', ...cells((r) => fraction(r.abstained, r.unanswerable))],
        ['wrongly declined (answerable)', ...cells((r) => fraction(r.falseAbstentions, r.answerable))],
        ['median quote (characters)', ...cells((r) => String(r.medianQuoteChars))],
        ...kinds.map((kind) => [`  ${kind}`, ...cells((r) => (r.byKind[kind] ? fraction(r.byKind[kind]!.correct, r.byKind[kind]!.total) : '-'))]),
      ]),
      '',
    ];
  });
  const cost = semanticCost;
  return [
    ...tables,
    ...chatSection(chat, table),
    `The semantic stage on the SQuAD set: model loaded and ${cost.passages} passages embedded in ${formatMs(cost.openMs)}; ` +
      `per question p50/p99 ${formatMs(cost.hybridP50Ms)} / ${formatMs(cost.hybridP99Ms)} with meaning vs ${formatMs(cost.lexicalP50Ms)} / ${formatMs(cost.lexicalP99Ms)} words alone; heap retained ${cost.heapMB.toFixed(0)} MB`,
  ];
}

/** The systems compared on one corpus: the engine, the baseline, and flexsearch where measured. */
const systemsOf = (row: ScaleReport): Array<[string, SystemStats]> => [
  ['engine', row.engine],
  ['baseline', row.baseline],
  ...(row.flexsearch ? [['flexsearch', row.flexsearch] as [string, SystemStats]] : []),
];
/** The target for an engine ÷ baseline ratio, on rows at the scale it applies to. */
const ratioTarget = (row: ScaleReport, engine: number, baseline: number, limit: number) =>
  row.passages >= TARGETS.scalePassages ? againstLimit(engine / baseline, limit, (ratio) => `${ratio}×`) : '';

function latencySection(scale: ScaleReport[], table: TableFormat): string {
  return table([
    ['corpus', 'passages', 'system', 'queries', 'p50', 'p99', 'q/s', 'p50 e/b', 'p99 e/b', `target at ≥ ${formatCount(TARGETS.scalePassages)} passages`],
    ...scale.flatMap((row) =>
      systemsOf(row).map(([system, stats], i) => [
        i === 0 ? row.name : '',
        i === 0 ? formatCount(row.passages) : '',
        system,
        formatCount(stats.queries),
        formatMs(stats.p50Ms),
        formatMs(stats.p99Ms),
        formatRate(stats.perSecond),
        i === 0 ? formatRatio(stats.p50Ms, row.baseline.p50Ms) : '',
        i === 0 ? formatRatio(stats.p99Ms, row.baseline.p99Ms) : '',
        i === 0 ? ratioTarget(row, stats.p99Ms, row.baseline.p99Ms, TARGETS.p99VsBaseline) : '',
      ]),
    ),
  ]);
}

function buildSection(scale: ScaleReport[], format: TableFormat): string[] {
  const table = format([
    ['corpus', 'passages', 'system', 'build', 'heap', 'heap per passage', 'build e/b', 'target', 'heap e/b', 'target'],
    ...scale.flatMap((row) =>
      systemsOf(row).map(([system, stats], i) => [
        i === 0 ? row.name : '',
        i === 0 ? formatCount(row.passages) : '',
        system,
        formatMs(stats.buildMs),
        formatMB(stats.heapMB),
        // What a server's SERVER_MAX_PASSAGES costs in memory.
        `${((stats.heapMB * 1024) / row.passages).toFixed(2)} KB`,
        i === 0 ? formatRatio(stats.buildMs, row.baseline.buildMs) : '',
        i === 0 ? ratioTarget(row, stats.buildMs, row.baseline.buildMs, TARGETS.buildVsBaseline) : '',
        i === 0 ? formatRatio(stats.heapMB, row.baseline.heapMB) : '',
        i === 0 ? ratioTarget(row, stats.heapMB, row.baseline.heapMB, TARGETS.heapVsBaseline) : '',
      ]),
    ),
  ]);
  const persisted = scale.flatMap(({ name, persisted: p }) =>
    p
      ? [
          `${name}, the engine's index saved to a cache folder (saveSnapshot): ${formatMB(p.diskMB)} on disk in ${formatMs(p.saveMs)}; loaded back (loadSnapshot) in ${formatMs(p.loadMs)} (${formatMB(p.loadedHeapMB)} heap) vs build ${formatMs(p.rebuildMs)}`,
        ]
      : [],
  );
  return [table, ...persisted];
}

/** The burst targets: p99 and no errors. */
const burstTarget = (burst: BurstStats) => `${againstLimit(burst.p99Ms, TARGETS.burstP99Ms, formatMs)}${burst.errors === 0 ? '' : ', 0 errors ✗'}`;

function endToEndSection(runs: EndToEndReport[], table: TableFormat): string {
  return table([
    [
      'interactions',
      'concurrency',
      'answers by',
      'questions',
      'by words alone (encoder busy)',
      'p50',
      'p99',
      'throughput',
      'errors',
      'target (p99, 0 errors)',
      'RSS before',
      'RSS after',
      'heap before',
      'heap after',
    ],
    ...runs.map((e) => [
      formatCount(e.interactions),
      formatCount(e.concurrency),
      e.semantic ? 'words + meaning' : 'words alone',
      e.questions === 'new' ? 'each new (SQuAD)' : 'asked before',
      e.semantic ? formatCount(e.turnedAway) : '',
      formatMs(e.p50Ms),
      formatMs(e.p99Ms),
      formatRate(e.perSecond),
      String(e.errors),
      e.concurrency === e.interactions ? burstTarget(e) : e.semantic ? `p99 ${againstLimit(e.p99Ms, TARGETS.semanticAskP99Ms, formatMs)}` : '',
      formatMB(e.rssBeforeMB),
      formatMB(e.rssAfterMB),
      formatMB(e.heapBeforeMB),
      formatMB(e.heapAfterMB),
    ]),
  ]);
}

function botProcessSection(p: BotProcessReport, table: TableFormat): string[] {
  const starts = table([
    ['command', 'CACHE_DIR', 'gateway READY', 'target', 'first answer', 'target', 'corpus opened in', 'cache used', '"still loading" replies'],
    ...p.starts.map((start) => [
      start.command,
      start.cache,
      formatMs(start.gatewayMs),
      start.cache === 'empty' ? againstLimit(start.gatewayMs, TARGETS.coldGatewayMs, formatMs) : '',
      formatMs(start.firstAnswerMs),
      start.cache === 'warm' ? `${againstLimit(start.firstAnswerMs, TARGETS.warmFirstAnswerMs, formatMs)} (aim ${formatMs(TARGETS.warmFirstAnswerAimMs)})` : '',
      start.corpusLoadMs === undefined ? '?' : formatMs(start.corpusLoadMs),
      start.cacheLoaded === undefined ? '?' : start.cacheLoaded ? 'loaded' : 'built',
      formatCount(start.notYetAnswered),
    ]),
  ]);
  const reloads = table([
    ['reload', 'took', 'applied', 'questions', 'p50', 'p99', 'worst', 'target (worst)', 'errors'],
    ...p.reloads.map((r) => [
      r.kind,
      formatMs(r.reloadMs),
      r.applied ? 'yes' : 'NO',
      formatCount(r.questions),
      formatMs(r.p50Ms),
      formatMs(r.p99Ms),
      formatMs(r.worstMs),
      againstLimit(r.worstMs, TARGETS.reloadWorstMs, formatMs),
      String(r.errors),
    ]),
  ]);
  const b = p.burst;
  return [
    `Starts count from spawn; npm start also runs \`npm run build\`, which takes ${formatMs(p.noChangeBuildMs)} when nothing changed (median of 3).`,
    starts,
    '',
    '/reload while members ask 20 questions a second (dispatch → callback of each /ask, from the /reload until 1 s after it completed)',
    reloads,
    '',
    `${formatCount(b.interactions)} /ask at once against the process: p50 ${formatMs(b.p50Ms)}, p99 ${formatMs(b.p99Ms)}, ${formatRate(b.perSecond)}, ${b.errors} errors; target ${burstTarget(b)}`,
  ];
}

/** The HTTP endpoint's bursts (tests/bench/http.ts). */
function httpSection(report: HttpBenchReport): string {
  const ms = (value: number) => `${Math.round(value)} ms`;
  return `p50 ${ms(report.p50Ms)}, p99 ${ms(report.p99Ms)}, max ${ms(report.maxMs)}; late or missing: ${report.late}`;
}

/** Section 8's title: also the heading of `npm run bench -- --feeds-only`, which prints that section alone. */
export function feedsTitle(f: FeedsBenchReport | undefined): string {
  const feed = f ? `a feed of ${f.feedItems} items (${formatBytes(f.feedBytes)} of RSS)` : 'a feed';
  return `8. Followed feeds: from an item's publication to the first answer from it, and polling an unchanged feed (the bot's built modules in this process, the article corpus, words and meaning; ${feed} and its articles served on 127.0.0.1)`;
}

/** Section 8 (tests/bench/feeds.ts): the way of a new item, stage by stage, then an unchanged feed's poll against its baseline. */
export function feedsSection(f: FeedsBenchReport, table: TableFormat): string[] {
  const row = (label: string, { medianMs, maxMs }: Spread) => [label, formatMs(medianMs), formatMs(maxMs)];
  const { stages } = f;
  const poll = (label: string, p: FeedsBenchReport['conditional']) => [label, formatMs(p.wallMs), formatMs(p.cpuMs), String(p.requests), formatBytes(p.bytes)];
  const { conditional: c, unconditional: u } = f;
  return [
    `${f.publications} items published one at a time, the poll run at once: a member also waits for the poll itself, up to FEED_POLL_SECONDS (${formatCount(f.pollSeconds)} s by default). ` +
      `The question is asked every 10 ms until the engine answers it from the new article (about 600 words, ${f.articlePassages} passages).`,
    table([
      ['', 'median', 'max'],
      row('publication → first answer from it', f.firstAnswer),
      row("  the feed found due (its lease, under the feed store's lock)", stages.due),
      row('  the feed fetched', stages.feedFetch),
      row('  the feed read (a worker thread) and the item found new', stages.feedRead),
      row('  the article fetched, extracted (a worker thread), checked for duplicates', stages.article),
      row('  written (a worker thread: checks and quota)', stages.write),
      row('  reloaded (a new engine worker, then the swap)', stages.reload),
      row('  answered after the swap', stages.answer),
      row("first answer → answers by meaning too (the new passages' vectors)", f.vectorsAfterAnswer),
    ]),
    `At the first answer, every passage the server sees had its vectors for ${f.meaningAtFirstAnswer} of ${f.publications} items: until they do, that server's questions are answered by words alone.`,
    '',
    `The unchanged feed polled ${f.unchangedPolls} times each way (median per poll; CPU of every thread of this process, the feed server's included):`,
    table([
      ['', 'wall', 'CPU', 'requests', 'bytes on the wire'],
      poll('with its validators (If-None-Match → 304)', c),
      poll('baseline: served without validators (200, read, nothing new)', u),
      ['validators ÷ baseline', formatRatio(c.wallMs, u.wallMs), formatRatio(c.cpuMs, u.cpuMs), '', formatRatio(c.bytes, u.bytes)],
    ]),
    `Load average (1 min) ${f.load.start.toFixed(1)} when the section started and ${f.load.end.toFixed(1)} when it ended, on ${f.load.cpus} CPUs shared with other work.`,
  ];
}

/** Section 9's title: also the heading of `npm run bench -- --hosts-only`, which prints that section alone. */
export function hostsTitle(h: HostsBenchReport | undefined): string {
  const server = h ? `PostgreSQL ${h.postgres}` : 'PostgreSQL';
  return `9. Several hosts (DATABASE_URL): the cost of a change with and without the database, and from a change on one host to its answer on another (the bot's built modules in this process, ${server} on 127.0.0.1, the article corpus, words alone)`;
}

/** Section 9 (tests/bench/hosts.ts): a change's cost against the files baseline, then host to host. */
export function hostsSection(h: HostsBenchReport, table: TableFormat): string[] {
  const { files, database } = h.cost;
  const row = (label: string, { medianMs, maxMs }: Spread) => [label, formatMs(medianMs), formatMs(maxMs)];
  return [
    `A small article written, then retired, ${h.changes} times each way, in turn (median wall time of one change; each runs in a worker thread, with the database on a connection of its own):`,
    table([
      ['', 'write', 'retire'],
      ['baseline: files (CORPUS_DIR)', formatMs(files.writeMs), formatMs(files.retireMs)],
      ['database', formatMs(database.writeMs), formatMs(database.retireMs)],
      ['database ÷ files', formatRatio(database.writeMs, files.writeMs), formatRatio(database.retireMs, files.retireMs)],
    ]),
    '',
    `Two hosts, each its own copy of the corpus and cache, following the database's changes (LISTEN/NOTIFY): ${h.adds} articles added through host A (which reloads too), host B asked every 10 ms until it answers from the new article.`,
    table([
      ['', 'median', 'max'],
      row('add on host A → answer on host B', h.changeToAnswer),
      row('  from the add committed (its write resolved)', h.commitToAnswer),
    ]),
    `Load average (1 min) ${h.load.start.toFixed(1)} when the section started and ${h.load.end.toFixed(1)} when it ended, on ${h.load.cpus} CPUs shared with other work.`,
  ];
}

/**
 * The whole report. Text: lines for a terminal, blank lines between parts. Markdown: a heading per
 * section and a paragraph or table per part. Sections the run left out are named at the end.
 */
export function formatReport(report: BenchReport, style: 'text' | 'markdown' = 'text'): string {
  const { meta, quality } = report;
  const markdown = style === 'markdown';
  const table: TableFormat = markdown ? markdownTable : formatTable;
  const heading = (text: string) => (markdown ? `## ${text}` : text);
  const skipped: string[] = [];
  const section = (title: string, parts: (() => string[]) | undefined): string[] => {
    if (!parts) {
      skipped.push(title.split(/[:(]/)[0]!.trim());
      return [];
    }
    return ['', heading(title), ...parts()];
  };
  const { scale, endToEnd, botProcess, http, feeds, hosts } = report;
  const lines = [
    ...(markdown ? [] : [`citebot bench: node ${meta.node}, ${meta.cpus} CPUs (${meta.cpuModel}), ${meta.date}, ${formatMs(meta.wallMs)} in all`]),
    ...(scale
      ? [
          `Synthetic corpora: ${meta.corpora}`,
          `Synthetic queries: ${meta.queries}`,
          'e/b = engine ÷ baseline (below 1× the engine is faster or smaller). Baseline: minisearch defaults, raw paragraphs, no abstention.',
        ]
      : ['Baseline: minisearch defaults, raw paragraphs, no abstention.']),
    ...section(
      '1. Answer quality (tests/fixtures/questions.json, tests/fixtures/squad-dev and tests/fixtures/chat-questions.json; halves as in tests/support/questionSets.ts)',
      () => qualitySection(quality, table),
    ),
    ...section(
      '2. Query latency (engine: answerQuestion; baseline: miniSearch.search, top result; flexsearch: search, top 3), one thread',
      scale && (() => [latencySection(scale, table)]),
    ),
    ...section('3. Index build time (median) and heap it retains', scale && (() => buildSection(scale, table))),
    ...section(
      '4. End to end: /ask through discord.js and the fake Discord (dispatch → callback), bot and fake in this process, the article corpus, after two warm-up rounds',
      endToEnd && (() => [endToEndSection(endToEnd, table)]),
    ),
    ...section(
      `5. The bot process (node dist/transports/gateway/main.js, npm start) against the fake Discord, ${botProcess ? formatCount(botProcess.documents) : '10,000'} articles (the 10k synthetic corpus as .md files)`,
      botProcess && (() => botProcessSection(botProcess, table)),
    ),
    ...section(
      `6. HTTP endpoint: ${http ? `${http.bursts} bursts of ${http.concurrency}` : 'bursts of'} concurrent signed /ask (answer in the response; Discord allows 3 s)`,
      http && (() => [httpSection(http)]),
    ),
    ...section(
      "7. Article extraction (tests/fixtures/extraction-dev: 58 saved news pages and the body people marked; the benchmark's metric: F1 of mean precision and mean recall over 4-word shingles; halves by page key)",
      report.extraction && (() => [table(extractionRows(report.extraction!))]),
    ),
    ...section(feedsTitle(feeds), feeds && (() => feedsSection(feeds, table))),
    ...section(hostsTitle(hosts), hosts && (() => hostsSection(hosts, table))),
    ...(skipped.length > 0 ? ['', `Not measured in this run (--quality-only): ${skipped.join('; ')}.`] : []),
  ];
  return markdown ? lines.filter((line) => line !== '').join('\n\n') : lines.join('\n');
}
