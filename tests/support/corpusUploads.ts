/** Moderators' `/corpus add` uploads against the fake Discord, and the outcome they are told. */
import { expect } from 'vitest';
import type { MemberOptions, SentInteraction } from '../fake-discord/index.js';
import { EPHEMERAL, messageOf, type Harness } from './botHarness.js';

const SUBCOMMAND = 1;
const ATTACHMENT = 11;
let attachments = 0;

/** `/corpus add file:` with `content` served by the fake's CDN as `filename`, from `member` in `guildId`. */
export function uploadArticle(harness: Pick<Harness, 'fake'>, guildId: string, member: MemberOptions, filename: string, content: string): SentInteraction {
  const id = String(1_300_000_000_000_000_000n + BigInt(++attachments));
  const url = harness.fake.serveAttachment(filename, content);
  const attachment = { id, filename, size: Buffer.byteLength(content), url, proxy_url: url, content_type: 'text/markdown' };
  return harness.fake.chatInput('corpus', [{ name: 'add', type: SUBCOMMAND, options: [{ name: 'file', type: ATTACHMENT, value: id }] }], {
    guildId,
    member,
    resolved: { attachments: { [id]: attachment } },
  });
}

/** The deferred, ephemeral acknowledgement of a moderator command, then the edit that carries the outcome. */
export async function moderatorOutcome(harness: Pick<Harness, 'callback' | 'webhook'>, sent: SentInteraction) {
  expect((await harness.callback(sent)).body).toMatchObject({ type: 5, data: { flags: EPHEMERAL } });
  return messageOf(await harness.webhook(sent, (request) => request.method === 'PATCH'));
}
