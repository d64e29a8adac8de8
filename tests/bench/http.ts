/**
 * Section 5: the HTTP interactions endpoint under bursts. An HTTP worker (createHttpWorker, the
 * real commands) runs in this process; the fake Discord POSTs each `/ask` to it signed with
 * Ed25519, `concurrency` at once, and records the HTTP response as the callback. Latency runs
 * from the fake starting the POST to it reading the response, so it covers signing, verifying,
 * JSON, the engine and the shared event loop (the fake's client side included: a conservative
 * figure). Discord's deadline for that response is 3 s.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { commands } from '../../src/app/commands/index.js';
import { createLogger } from '../../src/runtime/logger.js';
import { Engine } from '../../src/engine/Engine.js';
import { createHttpWorker } from '../../src/transports/http/httpWorker.js';
import { FakeDiscord } from '../fake-discord/index.js';
import { applicationKeys } from '../support/botHarness.js';
import { loadQuestionSet } from '../support/questionSet.js';
import { testConfig } from '../support/testConfig.js';
import { ARTICLE_DIR } from './article.js';
import { watchCallbacks } from './endToEnd.js';
import { percentile } from './measure.js';

export interface HttpBenchOptions {
  /** Interactions sent at once in each burst. */
  concurrency: number;
  bursts: number;
}

export interface HttpBenchReport extends HttpBenchOptions {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Answers that never came, came after 3 s, or were a deferral instead of the answer. */
  late: number;
}

const STRING_OPTION = 3;
const DEADLINE_MS = 3_000;

export async function benchHttp(options: HttpBenchOptions, onProgress?: (fraction: number) => void): Promise<HttpBenchReport> {
  const fake = await FakeDiscord.start();
  const cacheDir = await mkdtemp(path.join(os.tmpdir(), 'citebot-bench-http-'));
  const keys = applicationKeys();
  const config = testConfig({ clientId: fake.applicationId, apiUrl: fake.apiUrl, corpusDir: ARTICLE_DIR, cacheDir, publicKey: keys.publicKeyHex });
  const logger = createLogger(config);
  const engine = new Engine({ dir: config.corpusDir, cacheDir, logger });
  await engine.ready;
  const worker = createHttpWorker({ config, engine, logger, commands });
  fake.useInteractionsEndpoint(`http://127.0.0.1:${await worker.listen(0, '127.0.0.1')}/interactions`, keys.privateKey);
  const callbacks = watchCallbacks(fake);
  const questions = loadQuestionSet().map((q) => q.question);
  // Each burst asks its questions afresh: as many "lol"s as its number, which reading the question
  // drops, so it costs the whole answer path and none is answered from memory.
  const burst = (round: number) =>
    Promise.all(
      Array.from({ length: options.concurrency }, async (_, i) => {
        const value = `${questions[i % questions.length]!}${' lol'.repeat(round)}`;
        const sent = fake.chatInput('ask', [{ name: 'question', type: STRING_OPTION, value }]);
        try {
          const callback = await callbacks.callback(sent.id);
          return (callback.body as { type?: number }).type === 4 ? callback.receivedAt - sent.sentAt : Infinity;
        } catch {
          return Infinity;
        }
      }),
    );
  try {
    await burst(0); // untimed: the JIT compiles the path first
    const latencies: number[] = [];
    for (let round = 0; round < options.bursts; round++) {
      fake.forgetHistory();
      callbacks.restart();
      latencies.push(...(await burst(round + 1)));
      onProgress?.((round + 1) / options.bursts);
    }
    const inTime = latencies.filter((ms) => ms < DEADLINE_MS);
    return {
      ...options,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      maxMs: Math.max(...inTime),
      late: latencies.length - inTime.length,
    };
  } finally {
    callbacks.stop();
    await worker.close();
    await engine.close();
    await fake.stop();
    await rm(cacheDir, { recursive: true, force: true });
  }
}

/** The section's lines for the bench's text output. */
export function formatHttpReport(report: HttpBenchReport): string {
  const ms = (value: number) => `${Math.round(value)} ms`;
  return [
    '',
    `HTTP endpoint: ${report.bursts} bursts of ${report.concurrency} concurrent signed /ask (answer in the response; Discord allows 3 s)`,
    `  p50 ${ms(report.p50Ms)}, p99 ${ms(report.p99Ms)}, max ${ms(report.maxMs)}; late or missing: ${report.late}`,
  ].join('\n');
}
