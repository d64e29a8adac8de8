/**
 * Forged and spoofing input, end to end against the fake Discord: button ids that name
 * Object.prototype members, and questions carrying bidirectional controls.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EPHEMERAL, messageOf, startBot, type BotHarness } from './support/botHarness.js';

const STRING = 3;
const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

let harness: BotHarness;

beforeAll(async () => {
  harness = await startBot();
});

afterAll(async () => {
  await harness?.stop();
});

describe('a forged button id', () => {
  it.each(['ask:constructor:x', 'ask:toString:x', 'ask:__proto__:x', 'ask:hasOwnProperty:x', 'constructor:more:x'])(
    '%s is refused as a button that does nothing',
    async (customId) => {
      const sent = harness.fake.button(customId);
      const message = messageOf(await harness.callback(sent));
      expect(message.flags! & EPHEMERAL).toBe(EPHEMERAL);
      expect(message.content).toBe('That button no longer does anything. Run the command again.');
      const logged = () => harness.logs.find((line) => line.msg === 'interaction' && line.interactionId === sent.id);
      await expect.poll(logged).toBeDefined();
      expect(logged()).toMatchObject({ outcome: 'unknown-button' });
    },
  );
});

describe('an echoed question', () => {
  it('loses its bidirectional controls, so it cannot reorder the line it is shown in', async () => {
    // U+202E would show "?anihC ni esu egdE lliw" reversed, and whatever follows it on the line.
    const question = 'Which search engine will \u202eEdge use in China?\u2066\u200f';
    const message = messageOf(await harness.callback(harness.fake.chatInput('ask', [{ name: 'question', type: STRING, value: question }])));
    expect(message.content).toContain('Which search engine will Edge use in China?');
    expect(message.content).not.toMatch(BIDI_CONTROLS);
  });
});

describe('requests', () => {
  it('sent only bodies that Discord accepts', () => {
    expect(harness.invalidRequests()).toEqual([]);
  });
});
