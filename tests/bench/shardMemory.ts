/**
 * `npm run bench:shards`: the memory of a host per shard count. Runs `start:sharded` (built from
 * source under tsx) against a fake Discord with a synthetic base corpus, for each configuration:
 * one shard, four shards in one process (the default, one engine), and four shard processes
 * (SHARDING_MODE=process, one engine each). Each is measured once its index is loaded and it
 * answers, from a warm CACHE_DIR (a first run builds it), as resident memory (RSS) summed over
 * the bot's processes. Prints a table; DOCUMENTS sets the corpus size (default 10,000).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FakeDiscord } from '../fake-discord/index.js';
import { repoRoot } from '../support/discordSpec.js';
import { BOT_TOKEN } from '../support/testConfig.js';
import { corpusFileText, syntheticCorpus } from './syntheticCorpus.js';

const DOCUMENTS = Number(process.env.DOCUMENTS ?? 10_000);
const CONFIGURATIONS = [
  { name: 'warm-up (builds the saved index)', shards: 1, mode: 'internal', measured: false },
  { name: '1 shard', shards: 1, mode: 'internal', measured: true },
  { name: '4 shards, one process (default)', shards: 4, mode: 'internal', measured: true },
  { name: '4 shards, one process each (SHARDING_MODE=process)', shards: 4, mode: 'process', measured: true },
] as const;

/** Resident memory of a process, in bytes (Linux). */
async function rssOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

/** `pid` and every process below it. */
async function processTree(pid: number): Promise<number[]> {
  const parents = new Map<number, number>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // Field 4 is the parent id; the name (field 2) is in parentheses and may hold spaces.
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (parent) parents.set(Number(entry), parent);
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) for (const [child, parent] of parents) if (parent === tree[i]) tree.push(child);
  return tree;
}

async function measure(
  corpusDir: string,
  cacheDir: string,
  { shards, mode }: { shards: number; mode: string },
): Promise<{ rssMB: number; processes: number; readyS: number }> {
  const fake = await FakeDiscord.start({ shards, maxConcurrency: shards });
  const started = performance.now();
  const bot: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/transports/gateway/shardManager.ts'], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DISCORD_TOKEN: BOT_TOKEN,
      DISCORD_CLIENT_ID: fake.applicationId,
      DISCORD_API_URL: fake.apiUrl,
      CORPUS_DIR: corpusDir,
      CACHE_DIR: cacheDir,
      SHARD_COUNT: String(shards),
      SHARDING_MODE: mode,
      ASK_COOLDOWN_SECONDS: '0',
      LOG_LEVEL: 'warn',
    },
    stdio: 'ignore',
  });
  try {
    await fake.waitForReady(shards, 120_000);
    // Every shard answers (each process has its own index in process mode).
    for (let shard = 0; shard < shards; shard++) {
      for (;;) {
        const sent = fake.chatInput('ask', [{ name: 'question', type: 3, value: 'What did the minister say?' }], { shard });
        const body = JSON.stringify((await fake.waitForCallback(sent.id, 30_000)).body);
        if (!body.includes('Still loading')) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
    const readyS = (performance.now() - started) / 1000;
    // Let start-up garbage be collected before measuring.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const pids = await processTree(bot.pid!);
    const rss = (await Promise.all(pids.map((pid) => rssOf(pid).catch(() => 0)))).reduce((sum, bytes) => sum + bytes, 0);
    return { rssMB: rss / 2 ** 20, processes: pids.length, readyS };
  } finally {
    bot.kill('SIGTERM');
    await once(bot, 'exit');
    await fake.stop();
  }
}

const parent = await mkdtemp(path.join(os.tmpdir(), 'citebot-shard-memory-'));
try {
  const corpusDir = path.join(parent, 'corpus');
  const cacheDir = path.join(parent, 'cache');
  await mkdir(corpusDir);
  process.stderr.write(`writing ${DOCUMENTS} synthetic articles…\n`);
  const documents = syntheticCorpus({ documents: DOCUMENTS, seed: 1 });
  for (let start = 0; start < documents.length; start += 500) {
    await Promise.all(documents.slice(start, start + 500).map((document) => writeFile(path.join(corpusDir, document.file), corpusFileText(document))));
  }
  const rows: string[] = [];
  let oneShard = 0;
  for (const configuration of CONFIGURATIONS) {
    process.stderr.write(`${configuration.name}…\n`);
    const { rssMB, processes, readyS } = await measure(corpusDir, cacheDir, configuration);
    if (!configuration.measured) continue;
    if (configuration.shards === 1) oneShard = rssMB;
    rows.push(`| ${configuration.name} | ${processes} | ${rssMB.toFixed(0)} MB | ${(rssMB / oneShard).toFixed(2)}× | ${readyS.toFixed(1)} s |`);
  }
  process.stdout.write(
    [
      `RSS with ${DOCUMENTS.toLocaleString('en')} base articles (Node ${process.version}, ${os.availableParallelism()} CPUs):`,
      '',
      '| shards | processes | RSS | ÷ 1 shard | start to every shard answering |',
      '| --- | --- | --- | --- | --- |',
      ...rows,
      '',
    ].join('\n'),
  );
} finally {
  await rm(parent, { recursive: true, force: true });
}
