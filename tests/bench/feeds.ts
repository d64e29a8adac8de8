/**
 * Section 8: followed feeds. The corpus folder (a copy of corpus/), an engine answering by words
 * and meaning, corpus changes and the feed poller wired as the bot wires them, from the built
 * modules, in this process; a feed and its article pages served on 127.0.0.1. A server follows the
 * feed; then, one at a time, an item is published and the poll run at once: the time from
 * publication until the engine answers a question about the new article from it (what a member
 * waits beyond the poll interval), by stage. Then the feed, unchanged, is polled with its
 * validators (ETag and Last-Modified: a 304) and, as the baseline, served without them (the whole
 * feed downloaded and read, nothing new).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type * as CorpusChangesModule from '../../src/app/corpusChanges/corpusChanges.js';
import type * as CorpusSyncModule from '../../src/app/corpusChanges/corpusSync.js';
import type * as FeedsModule from '../../src/app/feeds/feeds.js';
import type * as FeedStoreModule from '../../src/app/feeds/feedStore.js';
import type * as CorpusTasksModule from '../../src/engine/corpusTasks.js';
import type * as EngineModule from '../../src/engine/Engine.js';
import type * as SafeFetchModule from '../../src/ingest/safeFetch.js';
import type * as LoggerModule from '../../src/runtime/logger.js';
import { repoRoot } from '../support/discordSpec.js';
import { rssFeed, type TestItem } from '../support/feedFiles.js';
import { testConfig } from '../support/testConfig.js';
import { ARTICLE_DIR } from './article.js';
import { percentile } from './measure.js';

export interface FeedsBenchOptions {
  /** Items in the feed when it is followed (all added then, untimed): with the published ones, the feed's length. */
  initialItems: number;
  /** Items published one at a time, each timed to its first answer. */
  publications: number;
  /** Polls of the unchanged feed timed in each way. */
  unchangedPolls: number;
}

/** Median and worst of one figure over the publications, in milliseconds. */
export interface Spread {
  medianMs: number;
  maxMs: number;
}

export interface UnchangedPoll {
  /** `pollDue` from its call until it resolved. */
  wallMs: number;
  /** CPU this process spent (every thread: the poller, the feed's reading worker, the server), per poll. */
  cpuMs: number;
  requests: number;
  /** Bytes on the wire both ways (headers included), per poll. */
  bytes: number;
}

export interface FeedsBenchReport extends FeedsBenchOptions {
  /** FEED_POLL_SECONDS by default: how long a new item may wait for its poll, on top of the figures below. */
  pollSeconds: number;
  /** The feed once every item is published. */
  feedItems: number;
  feedBytes: number;
  /** Passages per published article (median). */
  articlePassages: number;
  /** From publication to the first answer from the new article (the poll run at once). */
  firstAnswer: Spread;
  /** Its stages, one after another. */
  stages: {
    /** The feed found due and leased to this process (the feed store, under its lock). */
    due: Spread;
    feedFetch: Spread;
    /** The feed read off the thread, and the item found new: until its article is requested. */
    feedRead: Spread;
    /** The article fetched and extracted, and checked against the server's articles: until it is written. */
    article: Spread;
    write: Spread;
    /** The engine's reload: a new worker opens the corpus, then serves. */
    reload: Spread;
    /** From the reload until the engine answered from the article. */
    answer: Spread;
  };
  /**
   * Publications whose first answer came with every passage the server sees already embedded
   * (until then its questions are answered by words alone).
   */
  meaningAtFirstAnswer: number;
  /** From the first answer until the new passages' vectors are in: answers use meaning as well. */
  vectorsAfterAnswer: Spread;
  conditional: UnchangedPoll;
  /** The baseline: the same feed served without validators. */
  unconditional: UnchangedPoll;
  /** The 1-minute load average when the section started and ended (the machine is shared). */
  load: { start: number; end: number; cpus: number };
}

const SCOPE = '1100000000000000042';
const ACTOR = { id: '1000000000000000077', reason: 'bench' };
/** How often the engine is asked while a publication is on its way (a member asking over and over). */
const ASK_EVERY_MS = 10;
/** Longest wait for one publication's answer, or its vectors, before the bench gives up. */
const DEADLINE_MS = 60_000;

const PLACES = ['Northgate', 'Elmfield', 'Riverside', 'Harbourview', 'Millbrook', 'Stonebridge', 'Ashford', 'Kingsmead', 'Westcliff', 'Greenhill'];
const PROJECTS = ['footbridge', 'library', 'swimming pool', 'tram depot', 'market hall', 'health centre', 'cycle path', 'sports ground', 'fire station'];
const MONTHS = ['January', 'March', 'May', 'July', 'September', 'November'];

interface Story {
  slug: string;
  title: string;
  place: string;
  project: string;
  published: Date;
  /** What a member asks about it: answered by its fourth paragraph, and only by it. */
  question: string;
}

/** Story n: a project in a place (every pair different for n below 90), published n hours after the first. */
function nthStory(n: number): Story {
  const place = PLACES[n % PLACES.length]!;
  const project = PROJECTS[n % PROJECTS.length]!;
  return {
    slug: `${place}-${project}-${n}`.toLowerCase().replaceAll(' ', '-'),
    title: `${place} ${project} approved after long debate`,
    place,
    project,
    published: new Date(Date.UTC(2025, 0, 1) + n * 3_600_000),
    question: `How much will the ${project} in ${place} cost?`,
  };
}

/** A news article of eight paragraphs, some 600 words, as a site serves it (headline, author and date in JSON-LD). */
function articlePage(story: Story, n: number): string {
  const cost = 3 + ((n * 7) % 40);
  const month = MONTHS[n % MONTHS.length]!;
  const paragraphs = [
    `Councillors in ${story.place} voted on Tuesday evening to approve plans for a new ${story.project}, ending a debate that has divided residents for more than two years. The decision came after a meeting that ran late into the night, with dozens of people watching from the public gallery and many more following online.`,
    `Supporters of the ${story.project} argued that the neighbourhood has waited too long for investment, pointing to growing numbers of young families and the closure of older facilities nearby. Opponents said the site chosen in ${story.place} was too small, and that traffic on the surrounding streets was already heavy at peak hours.`,
    `The council's planning officer told the meeting that the design had been changed several times in response to comments from the public. The latest version moves the main entrance away from the school, adds trees along the northern edge and reduces the height of the building facing the older terraced houses.`,
    `According to the approved budget, the ${story.project} in ${story.place} will cost ${cost} million euros, paid for partly by a regional grant and partly by a loan the council will repay over twenty-five years. The first stage is due to open in ${month}, and the rest a year later if the works stay on schedule.`,
    `Several speakers raised concerns about noise during construction. The contractor has agreed to limit heavy work to weekdays between eight in the morning and six in the evening, and to publish a schedule each month so that neighbours know which streets will be affected and for how long.`,
    `Local businesses were mostly positive. The owner of a bakery on the high street said that more visitors would help shops that have struggled since the pandemic, while a café owner warned that months of roadworks could keep customers away before any benefit arrives.`,
    `The opposition group on the council voted against the plans, saying that the money would be better spent repairing existing buildings. Its leader said the group would ask the regional auditor to review the loan, and that residents deserved a clearer account of the running costs once the ${story.project} opens.`,
    `The mayor thanked residents for taking part in the consultation and promised regular updates. A public exhibition of the final design will be held in the town hall next month, where people can ask the architects questions and leave comments on the details that are still open.`,
  ];
  const ld = JSON.stringify({
    '@type': 'NewsArticle',
    headline: story.title,
    author: { name: 'Jane Doe' },
    publisher: { name: 'Example News' },
    datePublished: story.published.toISOString(),
  });
  return `<!doctype html><html><head><meta charset="utf-8"><title>${story.title} | Example News</title><link rel="canonical" href="https://news.example/${story.slug}"><script type="application/ld+json">${ld}</script></head><body><header><nav><a href="/">Home</a> <a href="/local">Local</a> <a href="/sport">Sport</a></nav></header><main><article><h1>${story.title}</h1><p class="byline">By Jane Doe</p>${paragraphs.map((p) => `<p>${p}</p>`).join('')}</article></main><footer><p>© Example News</p></footer></body></html>`;
}

/** The feed's item for a story: a summary, its link on the local server. */
const feedItem = (story: Story, link: string): TestItem => ({
  title: story.title,
  guid: story.slug,
  link,
  date: story.published,
  description: `Councillors in ${story.place} approved plans for a new ${story.project} after a debate that divided residents for two years. Supporters point to the growing number of families in the area; opponents worry about traffic and the size of the site.`,
});

/** The feed and article server, counting requests and the bytes its sockets carry. */
async function feedServer() {
  const stories: Story[] = [];
  let validators = true;
  const requests: Array<{ path: string; at: number; status: number }> = [];
  const sockets: Socket[] = [];
  let body = '';
  let etag = '';
  const server = http.createServer((request, response) => {
    const url = request.url ?? '/';
    const at = performance.now();
    const answer = (status: number, headers: Record<string, string> = {}, text = '') => {
      requests.push({ path: url, at, status });
      response.writeHead(status, headers).end(text);
    };
    if (url === '/feed') {
      if (validators && request.headers['if-none-match'] === etag) return answer(304, { etag });
      const newest = stories.reduce((latest, story) => Math.max(latest, story.published.getTime()), 0);
      return answer(
        200,
        { 'content-type': 'application/rss+xml; charset=utf-8', ...(validators && { etag, 'last-modified': new Date(newest).toUTCString() }) },
        body,
      );
    }
    const n = stories.findIndex((story) => url === `/articles/${story.slug}`);
    if (n >= 0) return answer(200, { 'content-type': 'text/html; charset=utf-8' }, articlePage(stories[n]!, n));
    return answer(404);
  });
  server.on('connection', (socket) => sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = (route: string) => `http://127.0.0.1:${(server.address() as AddressInfo).port}${route}`;
  return {
    feedUrl: address('/feed'),
    requests,
    /** Bytes every connection so far carried, both ways. */
    bytes: () => sockets.reduce((sum, socket) => sum + socket.bytesRead + socket.bytesWritten, 0),
    get feedBytes() {
      return Buffer.byteLength(body);
    },
    /** Whether the feed is served with ETag and Last-Modified (and answers a matching If-None-Match with 304). */
    set validators(on: boolean) {
      validators = on;
    },
    /** Puts a story at the top of the feed, newest first as feeds are. */
    publish(story: Story) {
      stories.push(story);
      body = rssFeed(
        [...stories].reverse().map((published) => feedItem(published, address(`/articles/${published.slug}`))),
        { title: 'Example News: Local', link: 'https://news.example/local' },
      );
      etag = `"${createHash('sha256').update(body).digest('hex').slice(0, 16)}"`;
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const spread = (values: number[]): Spread =>
  values.some(Number.isNaN) ? { medianMs: NaN, maxMs: NaN } : { medianMs: percentile(values, 50), maxMs: Math.max(...values) };

/**
 * The bot's modules as `npm start` runs them, built (dist/, brought up to date first): a poll
 * starts short-lived worker threads (the feed read, the article's extraction, the write) and a
 * reload a new engine worker, and from TypeScript source each would first load tsx and compile
 * its modules, which the bot never does.
 */
export async function buildDist(): Promise<void> {
  await promisify(execFile)('npm', ['run', '-s', 'build'], { cwd: repoRoot });
}

/** One built module, by its path under dist/ (after `buildDist`). */
export const built = <Module>(file: string) => import(pathToFileURL(path.join(repoRoot, 'dist', file)).href) as Promise<Module>;

async function builtModules() {
  await buildDist();
  return {
    ...(await built<typeof CorpusChangesModule>('app/corpusChanges/corpusChanges.js')),
    ...(await built<typeof CorpusSyncModule>('app/corpusChanges/corpusSync.js')),
    ...(await built<typeof FeedsModule>('app/feeds/feeds.js')),
    ...(await built<typeof FeedStoreModule>('app/feeds/feedStore.js')),
    ...(await built<typeof CorpusTasksModule>('engine/corpusTasks.js')),
    ...(await built<typeof EngineModule>('engine/Engine.js')),
    ...(await built<typeof SafeFetchModule>('ingest/safeFetch.js')),
    ...(await built<typeof LoggerModule>('runtime/logger.js')),
  };
}

export async function benchFeeds(options: FeedsBenchOptions, onProgress?: (fraction: number) => void): Promise<FeedsBenchReport> {
  const { createCorpusChanges, reloadCounted, singleProcessSync, createFeeds, DEFAULT_KEEP, fileFeedStore, offThread, Engine, fetchFeed, createLogger } =
    await builtModules();
  const loadStart = os.loadavg()[0]!;
  const parentDir = await mkdtemp(path.join(os.tmpdir(), 'citebot-bench-feeds-'));
  const corpusDir = path.join(parentDir, 'corpus');
  await cp(ARTICLE_DIR, corpusDir, { recursive: true });
  const config = testConfig({ corpusDir, cacheDir: path.join(parentDir, 'cache'), semantic: true, fetchAllowPrivate: true });
  const logger = createLogger(config);
  const engine = new Engine({ dir: corpusDir, cacheDir: config.cacheDir, semantic: true, logger });
  const server = await feedServer();
  /** The current publication's stages, as they happen. */
  let marks: { fetchStarted?: number; fetchEnded?: number; writeStarted?: number; writeEnded?: number; reloadStarted?: number; reloadEnded?: number } = {};
  const tasks: CorpusTasksModule.CorpusTasks = {
    ...offThread,
    async write(...args) {
      marks.writeStarted = performance.now();
      try {
        return await offThread.write(...args);
      } finally {
        marks.writeEnded = performance.now();
      }
    },
  };
  const reload = reloadCounted(engine);
  const corpus = createCorpusChanges({
    engine,
    logger,
    config,
    sync: singleProcessSync(async () => {
      marks.reloadStarted = performance.now();
      try {
        return await reload();
      } finally {
        marks.reloadEnded = performance.now();
      }
    }),
    rest: { post: async () => undefined },
    tasks,
  });
  const store = fileFeedStore(corpusDir);
  const feeds = createFeeds({
    store,
    config,
    logger,
    corpusFor: (scope) => (scope === undefined ? corpus.forBase() : corpus.forScope(scope)),
    audit: corpus.audit,
    async fetchFeed(...args) {
      marks.fetchStarted = performance.now();
      try {
        return await fetchFeed(...args);
      } finally {
        marks.fetchEnded = performance.now();
      }
    },
  });
  /** Makes the feed due now, as its interval passing would (untimed: the poll is what is measured). */
  const makeDue = () =>
    store.update(SCOPE, (followed) => {
      for (const feed of followed) feed.nextPollAt = new Date(Date.now() - 1000).toISOString();
    });
  /** Whether every passage the server sees has its vectors (answers by meaning as well as words). */
  const vectorsIn = () => {
    const progress = engine.vectorProgress();
    return engine.meaning()?.state === 'ready' && progress !== undefined && progress.embedded === progress.total;
  };
  const until = async (condition: () => boolean | Promise<boolean>, what: string) => {
    const deadline = performance.now() + DEADLINE_MS;
    while (!(await condition())) {
      if (performance.now() > deadline) throw new Error(`feeds bench: ${what} not within ${DEADLINE_MS / 1000} s`);
      await sleep(ASK_EVERY_MS);
    }
  };
  const answeredFrom = async (story: Story) => {
    const answer = await engine.view(SCOPE).answer(story.question);
    return answer.answered && answer.results[0]?.document.title === story.title;
  };
  if (options.initialItems + options.publications > DEFAULT_KEEP)
    throw new Error(`feeds bench: at most ${DEFAULT_KEEP} items, so that no article is retired while a publication is timed`);
  const steps = options.initialItems + options.publications + 2 * options.unchangedPolls;
  let done = 0;
  const step = () => onProgress?.(++done / steps);

  try {
    await engine.ready;
    await until(vectorsIn, 'the model and the base corpus’s vectors');
    let n = 0;
    for (; n < options.initialItems; n += 1) server.publish(nthStory(n));
    const followed = await feeds.forScope(SCOPE).follow(ACTOR, server.feedUrl, DEFAULT_KEEP);
    if (!('followed' in followed)) throw new Error(`feeds bench: the feed was not followed: ${followed.refused}`);
    await feeds.pollDue();
    await until(async () => vectorsIn() && (await answeredFrom(nthStory(n - 1))), 'the first items');
    done += options.initialItems;
    onProgress?.(done / steps);

    const firstAnswer: number[] = [];
    const stages: Record<keyof FeedsBenchReport['stages'], number[]> = { due: [], feedFetch: [], feedRead: [], article: [], write: [], reload: [], answer: [] };
    const vectorsAfterAnswer: number[] = [];
    const passages: number[] = [];
    let meaningAtFirstAnswer = 0;
    for (let i = 0; i < options.publications; i += 1, n += 1) {
      const story = nthStory(n);
      await makeDue();
      marks = {};
      const requestsBefore = server.requests.length;
      const published = performance.now();
      server.publish(story);
      const polled = feeds.pollDue();
      await until(() => answeredFrom(story), `the answer from “${story.title}”`);
      const answeredAt = performance.now();
      if (vectorsIn()) meaningAtFirstAnswer += 1;
      await until(vectorsIn, `the vectors of “${story.title}”`);
      vectorsAfterAnswer.push(performance.now() - answeredAt);
      await polled;
      firstAnswer.push(answeredAt - published);
      // A stage that did not happen (NaN) makes its figure "—" rather than a wrong one.
      const articleRequested = server.requests.slice(requestsBefore).find((request) => request.path === `/articles/${story.slug}`)?.at ?? NaN;
      const { fetchStarted = NaN, fetchEnded = NaN, writeStarted = NaN, writeEnded = NaN, reloadStarted = NaN, reloadEnded = NaN } = marks;
      stages.due.push(fetchStarted - published);
      stages.feedFetch.push(fetchEnded - fetchStarted);
      stages.feedRead.push(articleRequested - fetchEnded);
      stages.article.push(writeStarted - articleRequested);
      stages.write.push(writeEnded - writeStarted);
      stages.reload.push(reloadEnded - reloadStarted);
      stages.answer.push(answeredAt - reloadEnded);
      const served = (await store.read(SCOPE))[0]!.articles.at(-1)!;
      passages.push((await engine.view(SCOPE).documentPassages(served.documentId))?.passages.length ?? NaN);
      step();
    }

    /**
     * Polls the unchanged feed `count` times, each made due first, every one answered with `status`;
     * a first, untimed poll settles the validators kept (none once the feed is served without them).
     */
    const pollUnchanged = async (count: number, status: 200 | 304): Promise<UnchangedPoll> => {
      await makeDue();
      await feeds.pollDue();
      const wall: number[] = [];
      const cpu: number[] = [];
      const requests: number[] = [];
      const bytes: number[] = [];
      for (let i = 0; i < count; i += 1) {
        await makeDue();
        const requestsBefore = server.requests.length;
        const bytesBefore = server.bytes();
        const cpuBefore = process.cpuUsage();
        const started = performance.now();
        await feeds.pollDue();
        wall.push(performance.now() - started);
        const used = process.cpuUsage(cpuBefore);
        cpu.push((used.user + used.system) / 1000);
        requests.push(server.requests.length - requestsBefore);
        bytes.push(server.bytes() - bytesBefore);
        if (server.requests.slice(requestsBefore).some((request) => request.status !== status))
          throw new Error(`feeds bench: an unchanged poll was not answered ${status} alone: its figures are not what they claim`);
        step();
      }
      return { wallMs: percentile(wall, 50), cpuMs: percentile(cpu, 50), requests: percentile(requests, 50), bytes: percentile(bytes, 50) };
    };
    const articlesBefore = (await store.read(SCOPE))[0]!.articles.length;
    const conditional = await pollUnchanged(options.unchangedPolls, 304);
    server.validators = false;
    const unconditional = await pollUnchanged(options.unchangedPolls, 200);
    const feed = (await store.read(SCOPE))[0]!;
    if (feed.articles.length !== articlesBefore || feed.failures > 0)
      throw new Error('feeds bench: polling the unchanged feed added an article or failed: its figures are not an unchanged poll’s');

    return {
      ...options,
      pollSeconds: config.feedPollSeconds,
      feedItems: n,
      feedBytes: server.feedBytes,
      articlePassages: percentile(passages, 50),
      firstAnswer: spread(firstAnswer),
      stages: {
        due: spread(stages.due),
        feedFetch: spread(stages.feedFetch),
        feedRead: spread(stages.feedRead),
        article: spread(stages.article),
        write: spread(stages.write),
        reload: spread(stages.reload),
        answer: spread(stages.answer),
      },
      meaningAtFirstAnswer,
      vectorsAfterAnswer: spread(vectorsAfterAnswer),
      conditional,
      unconditional,
      load: { start: loadStart, end: os.loadavg()[0]!, cpus: os.availableParallelism() },
    };
  } finally {
    await feeds.stop();
    await engine.close();
    await server.close();
    await rm(parentDir, { recursive: true, force: true });
  }
}
