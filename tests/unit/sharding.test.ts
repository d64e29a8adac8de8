import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planShards, shardsInThisProcess, singleShardUnlessManaged } from '../../src/transports/gateway/sharding.js';
import { FakeDiscord } from '../fake-discord/index.js';

let fake: FakeDiscord;
beforeAll(async () => {
  fake = await FakeDiscord.start({ shards: 3, maxConcurrency: 1 });
});
afterAll(async () => {
  await fake.stop();
});

describe('planShards', () => {
  it('takes Discord’s recommendation from the bot’s REST base for "auto" (or no value)', async () => {
    for (const value of ['auto', undefined, ' ']) {
      expect(await planShards({ token: 't', apiUrl: fake.apiUrl }, value)).toEqual({ count: 3, delayMs: 5500 });
    }
    expect(fake.requests.filter((request) => request.path === '/gateway/bot')).toHaveLength(3);
  });

  it('uses a number as given, and refuses anything else', async () => {
    expect(await planShards({ token: 't', apiUrl: fake.apiUrl }, '1')).toEqual({ count: 1, delayMs: 0 });
    expect(await planShards({ token: 't', apiUrl: fake.apiUrl }, '4')).toEqual({ count: 4, delayMs: 5500 });
    await expect(planShards({ token: 't', apiUrl: fake.apiUrl }, '0')).rejects.toThrow(/SHARD_COUNT must be/);
    await expect(planShards({ token: 't', apiUrl: fake.apiUrl }, 'two')).rejects.toThrow(/SHARD_COUNT must be/);
  });
});

describe('singleShardUnlessManaged', () => {
  it('forces one shard and clears the variables discord.js would read, unless the manager started us', () => {
    const plain: NodeJS.ProcessEnv = { SHARDS: '[2]', SHARD_COUNT: '4' };
    expect(singleShardUnlessManaged(plain)).toEqual({ shards: [0], shardCount: 1 });
    expect(plain).toEqual({});
    const managed: NodeJS.ProcessEnv = { SHARDING_MANAGER: 'true', SHARDS: '[2]', SHARD_COUNT: '4' };
    expect(singleShardUnlessManaged(managed)).toEqual({});
    expect(managed.SHARD_COUNT).toBe('4');
  });
});

describe('shardsInThisProcess', () => {
  it('lists every shard for one client, and clears the variables discord.js would read instead', () => {
    const env: NodeJS.ProcessEnv = { SHARD_COUNT: 'auto', SHARDS: '[1]' };
    expect(shardsInThisProcess(4, env)).toEqual({ shards: [0, 1, 2, 3], shardCount: 4 });
    expect(env).toEqual({});
  });
});
