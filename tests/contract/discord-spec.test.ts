import { describe, expect, it } from 'vitest';
import { ApplicationCommandType, ContextMenuCommandBuilder, InteractionContextType, PermissionFlagsBits, SlashCommandBuilder } from 'discord.js';
import { embedTotalLength, findDiscordOperation, validateDiscordRequest } from '../support/discordSpec.js';
import { buildModal } from '../../src/app/responses.js';

const CALLBACK = '/interactions/789/tok-en.abc/callback';
const ORIGINAL = '/webhooks/123/tok/messages/@original';
const NO_MENTIONS = { parse: [] as string[] };

function commandDefinitions(): unknown[] {
  const ask = new SlashCommandBuilder()
    .setName('ask')
    .setDescription('Ask a question about the news corpus')
    .setContexts(InteractionContextType.Guild, InteractionContextType.BotDM)
    .setDefaultMemberPermissions(PermissionFlagsBits.SendMessages)
    .addStringOption((o) => o.setName('question').setDescription('What do you want to know?').setRequired(true).setMaxLength(300))
    .addStringOption((o) => o.setName('article').setDescription('Limit to one article').setAutocomplete(true))
    .addIntegerOption((o) => o.setName('results').setDescription('How many quotes').setMinValue(1).setMaxValue(5))
    .addStringOption((o) =>
      o.setName('style').setDescription('Answer style').addChoices({ name: 'Short', value: 'short' }, { name: 'Full quote', value: 'full' }),
    );
  const admin = new SlashCommandBuilder()
    .setName('citebot')
    .setDescription('Administer citebot')
    .setDefaultMemberPermissions(0n)
    .addSubcommand((s) => s.setName('reload').setDescription('Reload the corpus'))
    .addSubcommand((s) =>
      s
        .setName('stats')
        .setDescription('Show index statistics')
        .addBooleanOption((o) => o.setName('public').setDescription('Show to everyone')),
    );
  const cite = new ContextMenuCommandBuilder().setName('Cite this message').setType(ApplicationCommandType.Message);
  return [ask.toJSON(), admin.toJSON(), cite.toJSON()];
}

function embed(sizes: { title: number; description: number; fields: Array<[number, number]>; footer: number; author: number }) {
  return {
    title: 't'.repeat(sizes.title),
    description: 'd'.repeat(sizes.description),
    fields: sizes.fields.map(([n, v]) => ({ name: 'n'.repeat(n), value: 'v'.repeat(v) })),
    footer: { text: 'f'.repeat(sizes.footer) },
    author: { name: 'a'.repeat(sizes.author) },
  };
}

describe('validateDiscordRequest: operations and paths', () => {
  it('prefers the literal @original template over {message_id}', () => {
    expect(findDiscordOperation('PATCH', ORIGINAL)?.template).toBe('/webhooks/{webhook_id}/{webhook_token}/messages/@original');
    expect(findDiscordOperation('PATCH', '/webhooks/123/tok/messages/456')?.template).toBe('/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}');
    expect(findDiscordOperation('POST', CALLBACK)?.params).toEqual({
      interaction_id: '789',
      interaction_token: 'tok-en.abc',
    });
  });

  it('reports an unknown path or method as a problem', () => {
    expect(validateDiscordRequest('PUT', '/foo', {})).toEqual(['no operation for PUT /foo']);
    expect(validateDiscordRequest('DELETE', CALLBACK, undefined)).toEqual([`no operation for DELETE ${CALLBACK}`]);
    expect(validateDiscordRequest('PUT', '/applications/123/commandz', [])).toHaveLength(1);
  });

  it('requires a body where the spec requires one', () => {
    expect(validateDiscordRequest('POST', CALLBACK, undefined)).toEqual([
      'POST /interactions/{interaction_id}/{interaction_token}/callback requires a JSON body, got none',
    ]);
  });
});

describe('validateDiscordRequest: command definitions', () => {
  it('accepts discord.js SlashCommandBuilder / ContextMenuCommandBuilder output (global and guild)', () => {
    const body = commandDefinitions();
    expect(validateDiscordRequest('PUT', '/applications/123/commands', body)).toEqual([]);
    expect(validateDiscordRequest('PUT', '/applications/123/guilds/456/commands', body)).toEqual([]);
  });

  it('validates a clone: coercion does not change what the bot sent', () => {
    const body = commandDefinitions();
    const before = JSON.stringify(body);
    validateDiscordRequest('PUT', '/applications/123/commands', body);
    expect(JSON.stringify(body)).toBe(before);
    expect((body[0] as { default_member_permissions: unknown }).default_member_permissions).toBe('2048');
  });

  it('rejects an uppercase slash-command name', () => {
    const body = commandDefinitions() as Array<Record<string, unknown>>;
    body[0] = { ...body[0], name: 'Ask' };
    expect(validateDiscordRequest('PUT', '/applications/123/commands', body)).toEqual(['body/0/name: "Ask" must be lowercase']);
  });

  it('rejects spaces in slash-command and option names but allows them in context-menu names', () => {
    const body = commandDefinitions() as Array<Record<string, any>>;
    body[0] = { ...body[0], name: 'ask me' };
    body[0].options = [{ ...body[0].options[0], name: 'the question' }, ...body[0].options.slice(1)];
    const problems = validateDiscordRequest('PUT', '/applications/123/commands', body);
    expect(problems).toContain(`body/0/name: "ask me" must be 1-32 letters, digits, "-", "_" or "'" (no spaces)`);
    expect(problems.some((p) => p.startsWith('body/0/options/0/name: "the question"'))).toBe(true);
    expect(problems.some((p) => p.startsWith('body/2/'))).toBe(false);
  });

  it('rejects a context-menu command with a description, an empty slash description, and too many options', () => {
    const body = commandDefinitions() as Array<Record<string, any>>;
    body[2] = { ...body[2], description: 'Cites it' };
    body[1] = { ...body[1], description: '' };
    body[0] = {
      ...body[0],
      options: Array.from({ length: 26 }, (_, i) => ({ type: 3, name: `o${i}`, description: 'x' })),
    };
    const problems = validateDiscordRequest('PUT', '/applications/123/commands', body);
    expect(problems).toContain('body/2/description: a context-menu command (type 3) must have an empty description, got "Cites it"');
    expect(problems).toContain('body/1/description: must be 1-100 characters (has 0)');
    expect(problems).toContain('body/0/options: must have at most 25 options (has 26)');
  });

  it('rejects a wrong option type with a readable message instead of a oneOf dump', () => {
    const body = commandDefinitions() as Array<Record<string, any>>;
    body[0]!.options[0].type = 99;
    const problems = validateDiscordRequest('PUT', '/applications/123/commands', body);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^body\/0\/options\/0\/type: must select one of the alternatives: .*ApplicationCommandStringOption \(type 3\).*; got 99$/);
  });
});

describe('validateDiscordRequest: interaction callbacks', () => {
  it('accepts a realistic reply, a deferral and an autocomplete result', () => {
    expect(
      validateDiscordRequest('POST', CALLBACK, {
        type: 4,
        data: {
          content: 'Here is what the article says:',
          embeds: [embed({ title: 10, description: 200, fields: [[5, 50]], footer: 20, author: 10 })],
          allowed_mentions: NO_MENTIONS,
          flags: 64,
        },
      }),
    ).toEqual([]);
    expect(validateDiscordRequest('POST', CALLBACK, { type: 5 })).toEqual([]);
    expect(
      validateDiscordRequest('POST', CALLBACK, {
        type: 8,
        data: { choices: Array.from({ length: 25 }, (_, i) => ({ name: `Article ${i}`, value: `a${i}` })) },
      }),
    ).toEqual([]);
  });

  it('rejects 2001 characters of content in a type 4 reply', () => {
    const problems = validateDiscordRequest('POST', CALLBACK, {
      type: 4,
      data: { content: 'x'.repeat(2001), allowed_mentions: NO_MENTIONS },
    });
    expect(problems).toContain('body/data/content: must be at most 2000 characters (has 2001)');
    // The closest alternative only: nothing about modals, pongs or autocomplete.
    expect(problems.join('\n')).not.toMatch(/Modal|Pong|Autocomplete|alternatives/);
    expect(validateDiscordRequest('POST', CALLBACK, { type: 4, data: { content: 'x'.repeat(2000), allowed_mentions: NO_MENTIONS } })).toEqual([]);
  });

  it('rejects a callback with a wrong type', () => {
    const problems = validateDiscordRequest('POST', CALLBACK, { type: 'x', data: { content: 'hi', allowed_mentions: NO_MENTIONS } });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^body\/type: must select one of the alternatives: .*CreateMessageInteractionCallbackRequest \(type 4\|5\).*; got "x"$/);
    expect(validateDiscordRequest('POST', CALLBACK, { type: 3 })[0]).toMatch(/^body\/type: .*got 3$/);
  });

  it('rejects an autocomplete result with 26 choices or an over-long choice', () => {
    const choices = Array.from({ length: 26 }, (_, i) => ({ name: `Article ${i}`, value: `a${i}` }));
    expect(validateDiscordRequest('POST', CALLBACK, { type: 8, data: { choices } })).toContain('body/data/choices: must have at most 25 choices (has 26)');
    const long = validateDiscordRequest('POST', CALLBACK, {
      type: 8,
      data: { choices: [{ name: 'n'.repeat(101), value: 'v'.repeat(101) }] },
    });
    expect(long).toContain('body/data/choices/0/name: must be 1-100 characters (has 101)');
    expect(long).toContain('body/data/choices/0/value: must be at most 100 characters (has 101)');
  });
});

describe('validateDiscordRequest: forms (modals)', () => {
  const form = buildModal({
    customId: 'ask:followup:a:1~abcdef',
    title: 'Follow up',
    field: { customId: 'question', label: 'Your follow-up question', minLength: 2, maxLength: 300 },
  });
  const field = (changes: object) => ({
    ...form,
    components: [{ ...form.components[0], component: { ...(form.components[0] as { component: object }).component, ...changes } }],
  });

  it('accepts the bot’s form, even with a title, label and placeholder given too long', () => {
    expect(validateDiscordRequest('POST', CALLBACK, { type: 9, data: form })).toEqual([]);
    const long = buildModal({
      customId: `ask:followup:${'r'.repeat(120)}`,
      title: 'T'.repeat(60),
      field: { customId: 'question', label: 'L'.repeat(60), placeholder: 'P'.repeat(120), minLength: 2, maxLength: 300 },
    });
    expect(validateDiscordRequest('POST', CALLBACK, { type: 9, data: long })).toEqual([]);
  });

  it('rejects a title over 45 characters, a form without fields, a field without a style, min_length above max_length, and a custom_id used twice', () => {
    expect(validateDiscordRequest('POST', CALLBACK, { type: 9, data: { ...form, title: 'T'.repeat(46) } }).join('\n')).toMatch(/title/);
    expect(validateDiscordRequest('POST', CALLBACK, { type: 9, data: { ...form, components: [] } }).join('\n')).toMatch(/components/);
    expect(validateDiscordRequest('POST', CALLBACK, { type: 9, data: field({ style: undefined }) }).join('\n')).toMatch(/style/);
    expect(validateDiscordRequest('POST', CALLBACK, { type: 9, data: field({ min_length: 301 }) })).toEqual([
      'body/data/components/0: min_length 301 is above max_length 300',
    ]);
    expect(validateDiscordRequest('POST', CALLBACK, { type: 9, data: { ...form, components: [form.components[0], form.components[0]] } })).toEqual([
      'body/data/components/1: custom_id "question" is used twice in the form',
    ]);
  });
});

describe('validateDiscordRequest: embeds', () => {
  it('counts the embed total like Discord', () => {
    expect(
      embedTotalLength(
        embed({
          title: 1,
          description: 2,
          fields: [
            [3, 4],
            [5, 6],
          ],
          footer: 7,
          author: 8,
        }),
      ),
    ).toBe(36);
    expect(embedTotalLength({ url: 'https://example.com', color: 1 })).toBe(0);
  });

  it('rejects embeds totalling 6001 characters although each part is within its own limit', () => {
    const big = embed({ title: 256, description: 4096, fields: [[256, 1024]], footer: 368, author: 1 });
    expect(embedTotalLength(big)).toBe(6001);
    const problems = validateDiscordRequest('PATCH', ORIGINAL, { embeds: [big], allowed_mentions: NO_MENTIONS });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^body\/embeds: embeds total 6001 characters, limit is 6000/);

    const justFits = embed({ title: 256, description: 4096, fields: [[256, 1024]], footer: 367, author: 1 });
    expect(validateDiscordRequest('PATCH', ORIGINAL, { embeds: [justFits], allowed_mentions: NO_MENTIONS })).toEqual([]);

    // Across embeds too, in interaction callbacks.
    const half = { description: 'd'.repeat(3000) };
    const two = [half, { description: 'd'.repeat(3001) }];
    expect(validateDiscordRequest('POST', CALLBACK, { type: 4, data: { embeds: two, allowed_mentions: NO_MENTIONS } })[0]).toMatch(
      /^body\/data\/embeds: embeds total 6001 characters/,
    );
  });

  it('rejects per-part embed limits and malformed embeds', () => {
    const problems = validateDiscordRequest('PATCH', ORIGINAL, {
      embeds: [
        {
          title: 't'.repeat(257),
          url: 'not a url',
          fields: [{ name: 'Source' }, ...Array.from({ length: 25 }, () => ({ name: 'n', value: 'v' }))],
          footer: { text: 'f'.repeat(2049) },
          author: { url: 'https://example.com/' },
        },
      ],
      allowed_mentions: NO_MENTIONS,
    });
    expect(problems).toContain('body/embeds/0/title: must be at most 256 characters (has 257)');
    expect(problems).toContain('body/embeds/0/url: must match format "uri", got "not a url"');
    expect(problems).toContain("body/embeds/0/fields/0: must have required property 'value'");
    expect(problems).toContain('body/embeds/0/fields: must have at most 25 fields (has 26)');
    expect(problems).toContain('body/embeds/0/footer/text: must be at most 2048 characters (has 2049)');
    expect(problems).toContain('body/embeds/0/author/name: required when author is set');
  });
});

describe('validateDiscordRequest: webhook edits and allowed_mentions', () => {
  const edit = {
    content: '',
    embeds: [
      {
        title: 'Answer',
        description: '> The council approved the budget on Tuesday.',
        url: 'https://example.com/news/budget',
        color: 0x5865f2,
        fields: [{ name: 'Source', value: 'Example News, 2024-05-01', inline: false }],
        footer: { text: 'Quoted verbatim' },
        timestamp: '2024-05-01T12:00:00.000Z',
      },
    ],
    allowed_mentions: NO_MENTIONS,
  };

  it('accepts a webhook edit PATCH with allowed_mentions {parse: []} and an embed', () => {
    expect(validateDiscordRequest('PATCH', ORIGINAL, edit)).toEqual([]);
    expect(validateDiscordRequest('PATCH', '/webhooks/123/tok/messages/456', edit)).toEqual([]);
  });

  it('reports a message body without allowed_mentions unless told not to', () => {
    const { allowed_mentions: _omit, ...bare } = edit;
    const missing = 'body/allowed_mentions: missing; every message the bot sends must set allowed_mentions (e.g. { "parse": [] })';
    expect(validateDiscordRequest('PATCH', ORIGINAL, bare)).toEqual([missing]);
    expect(validateDiscordRequest('PATCH', ORIGINAL, bare, { requireAllowedMentions: false })).toEqual([]);
    expect(validateDiscordRequest('POST', '/channels/1/messages', { content: 'hi' })).toEqual([missing]);
    expect(validateDiscordRequest('POST', '/webhooks/123/tok', { content: 'hi' })).toEqual([missing]);
    expect(validateDiscordRequest('POST', CALLBACK, { type: 4, data: { content: 'hi' } })).toEqual([
      'body/data/allowed_mentions: missing; every message the bot sends must set allowed_mentions (e.g. { "parse": [] })',
    ]);
    expect(validateDiscordRequest('POST', CALLBACK, { type: 7, data: { content: 'hi' } })).toHaveLength(1);
    // Not a message: a deferral or a webhook rename needs no allowed_mentions.
    expect(validateDiscordRequest('POST', CALLBACK, { type: 5 })).toEqual([]);
    expect(validateDiscordRequest('PATCH', '/webhooks/123/tok', { name: 'citebot' })).toEqual([]);
  });

  it('rejects invalid allowed_mentions and an empty new message', () => {
    expect(validateDiscordRequest('POST', '/channels/1/messages', { content: 'hi', allowed_mentions: { parse: ['everyone', 'bogus'] } })).toEqual([
      'body/allowed_mentions/parse/1: must be one of "users" (USERS), "roles" (ROLES), "everyone" (EVERYONE), got "bogus"',
    ]);
    expect(validateDiscordRequest('POST', CALLBACK, { type: 4, data: { allowed_mentions: NO_MENTIONS } })[0]).toMatch(
      /^body\/data: a new message needs content, embeds/,
    );
  });
});
