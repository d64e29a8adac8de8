/**
 * The HTTP worker's entry point (`npm run start:http`, or `node dist/transports/http/main.js`): the
 * interactions endpoint on HTTP_PORT (at HTTP_HOST), with /healthz and /metrics. Run as many as
 * needed on one CORPUS_DIR and CACHE_DIR, behind a load balancer: a corpus change made through any of them
 * reaches the others (see signalFileSync.ts). With DATABASE_URL, on as many hosts as needed, each with
 * its own CORPUS_DIR and CACHE_DIR: every change goes through the database, and every worker follows it
 * (see src/store/).
 */
import { commands } from '../../app/commands/index.js';
import { configOrExit } from '../../runtime/config.js';
import { createLogger } from '../../runtime/logger.js';
import { handleSignals, openCorpus } from '../../runtime/startup.js';
import { watchFolder } from '../../app/corpusChanges/watchFolder.js';
import { openDatabaseStore } from '../../store/databaseStore.js';
import { createHttpWorker } from './httpWorker.js';

const config = configOrExit('citebot cannot start', 'http');
const logger = createLogger(config);
const engine = await openCorpus(config, logger);
const store = config.databaseUrl
  ? openDatabaseStore({ databaseUrl: config.databaseUrl, corpusDir: config.corpusDir, cacheDir: config.cacheDir, logger })
  : undefined;
const worker = createHttpWorker({ config, engine, logger, commands, store });

let stopWatching: (() => void) | undefined;
handleSignals({
  engine,
  logger,
  async stop() {
    stopWatching?.();
    await worker.close();
  },
  reload: () => void worker.corpus.reload({ id: 'SIGHUP', reason: 'signal' }),
});

try {
  const port = await worker.listen(config.httpPort, config.httpHost);
  logger.info({ port, host: config.httpHost, pid: process.pid }, 'citebot HTTP endpoint listening: POST /interactions, GET /healthz, GET /metrics');
} catch (error) {
  logger.fatal(
    { err: error, port: config.httpPort, host: config.httpHost },
    `cannot listen on HTTP_PORT ${config.httpPort}${config.httpHost ? ` at HTTP_HOST ${config.httpHost}` : ''}: ${(error as Error).message}`,
  );
  process.exit(1);
}
// Every worker watches for itself and reloads only itself: the others see the same files.
if (config.corpusWatch) stopWatching = watchFolder(config.corpusDir, worker.corpus, 'here', logger);
