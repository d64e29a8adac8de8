/**
 * The bot's entry point (`npm start`, or `node dist/transports/gateway/main.js` under a process manager):
 * validates configuration and runs one shard (or, started by `npm run start:sharded` with
 * SHARDING_MODE=process, the shard its manager gives it).
 */
import { configOrExit } from '../../runtime/config.js';
import { createLogger } from '../../runtime/logger.js';
import { runBot } from './runBot.js';
import { singleShardUnlessManaged } from './sharding.js';

const config = configOrExit('citebot cannot start');
await runBot(config, createLogger(config), singleShardUnlessManaged());
