/**
 * A moderator's `/reload` of a 2,000-article corpus while members keep asking: the new corpus is
 * opened in a second engine worker while the first keeps answering, so every `/ask` dispatched
 * during the reload must still get its first response within Discord's 3 s, and the reload
 * must apply.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEFAULT_MEMBER_PERMISSIONS, Permissions, type RecordedRequest, type SentInteraction } from '../fake-discord/index.js';
import { messageOf, startBot, type BotHarness } from '../support/botHarness.js';
import { syntheticCorpus, writeCorpusFolder } from '../bench/syntheticCorpus.js';
import { syntheticQueries } from '../bench/syntheticQueries.js';

const DOCUMENTS = 2000;
const QUESTIONS = 60;
/** The load the issue sets for answers during a reload. */
const QUESTIONS_PER_SECOND = 20;
const DEADLINE_MS = 3000;
const STRING = 3;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))]!;

let corpusDir: string;
let questions: string[];
const question = (i: number) => questions[i % questions.length]!;
let harness: BotHarness;

beforeAll(async () => {
  corpusDir = await mkdtemp(path.join(os.tmpdir(), 'citebot-load-'));
  // Pseudo-English with a Zipf vocabulary, as the bench uses: questions match what real ones would.
  const documents = syntheticCorpus({ documents: DOCUMENTS, seed: 7, paragraphs: 4 });
  questions = syntheticQueries(documents, 200, 8);
  await writeCorpusFolder(corpusDir, documents);
  harness = await startBot({ config: { corpusDir } });
}, 60_000);

afterAll(async () => {
  await harness?.stop();
  if (corpusDir) await rm(corpusDir, { recursive: true, force: true });
});

it('answers questions at 20 a second, each within 3 s, while a 2,000-article reload runs, then applies the reload', async () => {
  expect(harness.engine.stats().documents).toBe(DOCUMENTS);

  // The reload must pick up a change: a new article only it contains.
  await writeFile(
    path.join(corpusDir, 'zz-new-article.md'),
    '---\ntitle: The quokka census\nauthor: New Writer\npublisher: Synthetic Gazette\npublished: 2024-05-06\nurl: https://example.com/quokka\n---\n\nRangers counted eleven thousand quokkas on the island this spring.\n',
  );

  const reload = harness.fake.chatInput('reload', [], { member: { permissions: DEFAULT_MEMBER_PERMISSIONS | Permissions.ManageGuild } });
  const deferred = await harness.callback(reload);
  expect(deferred.body).toMatchObject({ type: 5 });
  expect(deferred.receivedAt - reload.sentAt).toBeLessThan(DEADLINE_MS);
  let reloadDone = false;
  void harness.fake.waitForWebhook(reload.token, (request) => request.method === 'PATCH', 30_000).then(() => (reloadDone = true));

  // Members keep asking, QUESTIONS_PER_SECOND, until the reload is done and QUESTIONS were asked.
  const intervalMs = 1000 / QUESTIONS_PER_SECOND;
  const sent: Array<SentInteraction & { scheduledAt: number }> = [];
  const firstAt = performance.now();
  await new Promise<void>((resolve) => {
    const tick = () => {
      const scheduledAt = firstAt + sent.length * intervalMs;
      sent.push({ ...harness.fake.chatInput('ask', [{ name: 'question', type: STRING, value: question(sent.length) }]), scheduledAt });
      if (sent.length >= QUESTIONS && reloadDone) resolve();
      else setTimeout(tick, Math.max(0, firstAt + sent.length * intervalMs - performance.now()));
    };
    tick();
  });

  const edit = await harness.fake.waitForWebhook(reload.token, (request) => request.method === 'PATCH', 30_000);
  const reloadDoneAt = edit.receivedAt;
  const callbacks = await Promise.all(
    sent.map(async (interaction) => {
      await harness.fake.waitForRequest(
        (request) => request.method === 'POST' && request.path.startsWith(`/interactions/${interaction.id}/`) && request.status !== undefined,
        10_000,
      );
      return harness.fake.callbacksFor(interaction.id);
    }),
  );

  const latencies = sent.map((interaction, i) => callbacks[i]![0]!.receivedAt - interaction.sentAt);
  // From when the question was due (a timer delayed by a busy event loop delays the dispatch too).
  const fromSchedule = sent.map((interaction, i) => callbacks[i]![0]!.receivedAt - interaction.scheduledAt);
  const sorted = [...latencies].sort((a, b) => a - b);
  const sortedFromSchedule = [...fromSchedule].sort((a, b) => a - b);
  const duringReload = sent.filter((interaction) => interaction.sentAt < reloadDoneAt).length;
  const report = messageOf(edit).embeds![0]!;
  console.log(
    `reload under load: ${DOCUMENTS} articles, ${harness.engine.stats().passages} passages; ` +
      `reload ${Math.round(reloadDoneAt - reload.sentAt)} ms from /reload to edit; ` +
      `${duringReload}/${sent.length} questions dispatched before it completed, one every ${intervalMs.toFixed(1)} ms; ` +
      `callback latency median ${Math.round(percentile(sorted, 0.5))} ms, p95 ${Math.round(percentile(sorted, 0.95))} ms, worst ${Math.round(sorted.at(-1)!)} ms; ` +
      `from scheduled time: median ${Math.round(percentile(sortedFromSchedule, 0.5))} ms, worst ${Math.round(sortedFromSchedule.at(-1)!)} ms`,
  );

  // Every question got exactly one callback, accepted, within Discord's 3 s.
  const late = sent
    .map((interaction, i) => ({
      id: interaction.id,
      latencyMs: Math.round(latencies[i]!),
      statuses: callbacks[i]!.map((request: RecordedRequest) => request.status),
    }))
    .filter(({ latencyMs, statuses }) => latencyMs >= DEADLINE_MS || statuses.length !== 1 || statuses[0]! >= 300);
  expect(late).toEqual([]);
  for (const [i, [callback]] of callbacks.entries()) {
    const message = messageOf(callback!);
    expect(message.embeds?.[0]?.title, question(i)).toBeDefined();
  }
  // The questions really were asked during the reload, spread over most of it.
  expect(sent[0]!.sentAt).toBeGreaterThan(deferred.receivedAt);
  expect(duringReload).toBeGreaterThanOrEqual(20);
  // Far below Discord's deadline: the reload runs in another thread (the bench reports the figures).
  expect(sorted.at(-1)!).toBeLessThan(1_000);

  // The reload completed and applied.
  expect(report.title).toBe('Corpus reloaded');
  expect(report.description).toMatch(
    new RegExp(`^${DOCUMENTS + 1} article\\(s\\), \\d+ passage\\(s\\), in \\d+ ms\\.\\nAdded: \`zz-new-article\`\\nRemoved: none\\nChanged: none$`),
  );
  expect(harness.engine.stats().documents).toBe(DOCUMENTS + 1);
  const after = harness.fake.chatInput('ask', [{ name: 'question', type: STRING, value: 'How many quokkas did the rangers count?' }]);
  expect(messageOf(await harness.callback(after)).embeds?.[0]?.footer?.text).toBe('New Writer · Synthetic Gazette · 2024-05-06 · paragraph 1');

  expect(harness.invalidRequests()).toEqual([]);
}, 60_000);
