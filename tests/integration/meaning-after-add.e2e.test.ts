/**
 * An article a moderator adds gets its meaning within seconds of the add reply, however busy the
 * bot is: its passages' vectors are computed by the encoder worker while members keep asking (a
 * question every 300 ms, each from another member), not once the bot has a quiet moment.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Permissions } from '../fake-discord/index.js';
import { EPHEMERAL, messageOf, startBot, type BotHarness } from '../support/botHarness.js';
import { repoRoot } from '../support/discordSpec.js';

const SUBCOMMAND = 1;
const STRING = 3;
const ATTACHMENT = 11;
const moderator = { userId: '1000000000000000077', permissions: Permissions.ManageGuild };
/** Passages in the added article: the most a moderator's one article usually makes. */
const PASSAGES = 200;
/** How soon after the add reply its vectors must all be there: seconds, with room for a machine whose two cores are busy with other work. */
const MEANING_WITHIN_MS = 30_000;

let harness: BotHarness;
let parentDir: string;

const ready = (logs: BotHarness['logs']) => logs.filter((line) => line.msg === 'semantic vectors ready: answers use meaning as well as words');

beforeAll(async () => {
  parentDir = await mkdtemp(path.join(os.tmpdir(), 'citebot-meaning-add-'));
  await cp(path.join(repoRoot, 'corpus'), path.join(parentDir, 'corpus'), { recursive: true });
  harness = await startBot({ config: { corpusDir: path.join(parentDir, 'corpus'), cacheDir: path.join(parentDir, 'cache'), semantic: true } });
  await vi.waitFor(() => expect(ready(harness.logs)).toHaveLength(1), { timeout: 60_000, interval: 100 });
}, 90_000);

afterAll(async () => {
  await harness?.stop();
  if (parentDir) await rm(parentDir, { recursive: true, force: true });
});

/** An article of PASSAGES short paragraphs, each of three sentences. */
function townNews(): string {
  const things = ['harbour', 'lighthouse', 'council budget', 'ferry', 'storm', 'village school', 'market', 'fishing fleet', 'festival', 'museum', 'bridge'];
  const paragraphs = Array.from({ length: PASSAGES }, (_, i) =>
    [0, 1, 2]
      .map(
        (j) =>
          `The ${things[(i + j) % things.length]} report number ${i} says item ${j} of the ${things[(i * 7 + j) % things.length]} plan changed in ${1800 + i}.`,
      )
      .join(' '),
  );
  return `---\ntitle: Town news\nauthor: A. Writer\npublisher: Gazette\npublished: 2021-03-04\nurl: https://example.com/town\n---\n\n${paragraphs.join('\n\n')}\n`;
}

describe('an article added while members ask', () => {
  it(`has its passages' vectors within ${MEANING_WITHIN_MS / 1000} s of the add reply`, async () => {
    let asking = true;
    let member = 0;
    const questions = (async () => {
      while (asking) {
        member += 1;
        const userId = String(1_200_000_000_000_000_000n + BigInt(member));
        void harness.callback(
          harness.fake.chatInput('ask', [{ name: 'question', type: STRING, value: `What did the report number ${member} say?` }], { member: { userId } }),
        );
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
    })();
    try {
      const content = townNews();
      const id = '1300000000000000001';
      const url = harness.fake.serveAttachment('town.md', content);
      const attachment = { id, filename: 'town.md', size: Buffer.byteLength(content), url, proxy_url: url, content_type: 'text/markdown' };
      const sent = harness.fake.chatInput('corpus', [{ name: 'add', type: SUBCOMMAND, options: [{ name: 'file', type: ATTACHMENT, value: id }] }], {
        member: moderator,
        resolved: { attachments: { [id]: attachment } },
      });
      expect((await harness.callback(sent)).body).toMatchObject({ type: 5, data: { flags: EPHEMERAL } });
      // The add's reload opens the new passages' meaning before it swaps: seconds, more on a busy machine.
      expect(messageOf(await harness.webhook(sent, (request) => request.method === 'PATCH', 30_000)).content).toMatch(/^Added `town\.md`/);
      const repliedAt = Date.now();
      await vi.waitFor(() => expect(ready(harness.logs).at(-1)).toMatchObject({ total: 10 + PASSAGES, embedded: 10 + PASSAGES }), {
        timeout: MEANING_WITHIN_MS + 5_000,
        interval: 50,
      });
      expect(Date.now() - repliedAt).toBeLessThanOrEqual(MEANING_WITHIN_MS);
    } finally {
      asking = false;
      await questions;
    }
  }, 120_000);
});
