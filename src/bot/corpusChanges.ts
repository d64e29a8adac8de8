/**
 * Corpus changes as the bot performs them: every change is logged with the moderator's id and,
 * when `AUDIT_CHANNEL_ID` is set, announced there. Commands call this, never `Library.reload`
 * directly, so that the change reaches every process serving the corpus (see corpusSync.ts).
 */
import { Routes, type REST } from 'discord.js';
import { retireCorpusFile, unwritableFolderMessage, writeCorpusFile, type RetiredFile, type WriteResult } from '../corpus/corpusFiles.js';
import type { Engine } from '../engine/Engine.js';
import type { ReloadReport } from '../library/Library.js';
import type { BotConfig } from './config.js';
import type { CorpusSync } from './corpusSync.js';
import { truncateAtWord } from '../text/sentences.js';
import type { Logger } from './logger.js';
import { buildMessage, escapeUserText } from './respond.js';

export interface Actor {
  /** Discord user id, or a label such as "SIGHUP" or "watcher". */
  id: string;
  reason: string;
}

export interface ShardOutcome {
  /** Shard id when sharded (a reload's outcome in each process that reports one). */
  shard?: number;
  report: ReloadReport;
}

export interface CorpusChanges {
  /** Reloads the corpus from disk everywhere it is served; one outcome per shard (one in all for the other transports). */
  reload(actor: Actor): Promise<ShardOutcome[]>;
  /**
   * Writes an uploaded article into the corpus folder if it is valid, then reloads (no reload when
   * refused). `refused` (a sentence for the moderator, and no `write`) when the folder cannot be
   * written.
   */
  add(actor: Actor, upload: { fileName: string; bytes: Uint8Array; replace: boolean }): Promise<{ write?: WriteResult; refused?: string; outcomes: ShardOutcome[] }>;
  /**
   * Moves a document's file to `.removed/`, then reloads. `refused` (a sentence for the moderator)
   * when it is the last valid article or the folder cannot be written; otherwise `retired` is
   * undefined when no file has that id.
   */
  remove(actor: Actor, documentId: string): Promise<{ retired?: RetiredFile; refused?: string; outcomes: ShardOutcome[] }>;
}

export interface CorpusChangesOptions {
  library: Engine;
  logger: Logger;
  config: Pick<BotConfig, 'auditChannelId'>;
  /** How a reload reaches every process serving the corpus. */
  sync: CorpusSync;
  /** Discord's REST API, authenticated with the bot token: for the audit channel. */
  rest: Pick<REST, 'post'>;
}

export function createCorpusChanges({ library, logger, config, sync, rest }: CorpusChangesOptions): CorpusChanges {
  // Changes run one at a time, each with its checks, write and reload: checks made while another
  // change is writing could pass for both (two uploads with the same id would both be written).
  let lastChange: Promise<unknown> = Promise.resolve();
  const oneAtATime = <T>(change: () => Promise<T>): Promise<T> => {
    const result = lastChange.then(change);
    lastChange = result.catch(() => undefined);
    return result;
  };
  const audit = async (text: string) => {
    if (!config.auditChannelId) return;
    try {
      const { content, allowed_mentions } = buildMessage({ content: text });
      await rest.post(Routes.channelMessages(config.auditChannelId), { body: { content, allowed_mentions } });
    } catch (error) {
      logger.warn({ err: error, channelId: config.auditChannelId }, 'could not post to the audit channel');
    }
  };
  /** The moderator's sentence for a corpus folder that cannot be written; any other error is rethrown. */
  const refuseUnwritable = (error: unknown, context: Record<string, string>): string => {
    const message = unwritableFolderMessage(error);
    if (message === undefined) throw error;
    logger.warn({ err: error, ...context }, 'corpus folder cannot be written');
    return message;
  };
  return {
    async reload(actor) {
      const outcomes = await sync.reloadEverywhere();
      for (const { shard, report } of outcomes) {
        const { problems, ...summary } = report;
        logger.info({ actorId: actor.id, reason: actor.reason, shard, ...summary, problems: problems.length }, report.applied ? 'corpus reloaded' : 'corpus reload refused');
      }
      const report = outcomes[0]?.report;
      // A reload that changed nothing (e.g. the watcher after /corpus add already reloaded) is not news.
      const changedNothing = report?.applied && report.added.length + report.removed.length + report.changed.length === 0;
      if (report && !changedNothing) await audit(auditNotice(actor, report));
      return outcomes;
    },
    // The reload's log line and audit notice name the file through the reason.
    add(actor, { fileName, bytes, replace }) {
      return oneAtATime(async () => {
        let write: WriteResult;
        try {
          write = await writeCorpusFile(library.dir, fileName, bytes, { replace, maxFileBytes: library.options.maxFileBytes });
        } catch (error) {
          return { refused: refuseUnwritable(error, { actorId: actor.id, file: fileName, action: 'add' }), outcomes: [] };
        }
        if (!write.ok) {
          logger.info({ actorId: actor.id, file: fileName, action: 'add', refused: write.reason, problems: write.problems.length }, 'corpus file refused');
          return { write, outcomes: [] };
        }
        logger.info({ actorId: actor.id, file: write.file, documentId: write.documentId, replaced: write.replaced, action: 'add' }, 'corpus file added');
        return { write, outcomes: await this.reload({ id: actor.id, reason: `${actor.reason}: ${write.replaced ? 'replaced' : 'added'} ${write.file}` }) };
      });
    },
    remove(actor, documentId) {
      return oneAtATime(async () => {
        let retired: Awaited<ReturnType<typeof retireCorpusFile>>;
        try {
          retired = await retireCorpusFile(library.dir, documentId, { maxFileBytes: library.options.maxFileBytes, keepLast: true });
        } catch (error) {
          return { refused: refuseUnwritable(error, { actorId: actor.id, documentId, action: 'remove' }), outcomes: [] };
        }
        if (!retired) return { outcomes: [] };
        if ('onlyArticle' in retired) {
          logger.info({ actorId: actor.id, file: retired.onlyArticle, documentId, action: 'remove', refused: 'last article' }, 'corpus file refused');
          return { refused: `\`${retired.onlyArticle}\` is the only article left, and the bot needs at least one to answer from: add another before removing it.`, outcomes: [] };
        }
        logger.info({ actorId: actor.id, file: retired.file, movedTo: retired.movedTo, documentId, action: 'remove' }, 'corpus file removed');
        return { retired, outcomes: await this.reload({ id: actor.id, reason: `${actor.reason}: moved ${retired.file} to ${retired.movedTo}` }) };
      });
    },
  };
}

/** Titles listed in an audit notice, per kind of change, before "and N more". */
const AUDIT_TITLES = 10;

/**
 * The audit channel's line for a reload: who (a user as a mention, which shows their name;
 * `allowedMentions` keeps it from pinging), why, and the titles of what changed, escaped since
 * they are corpus text.
 */
export function auditNotice(actor: Actor, report: ReloadReport): string {
  const who = /^\d{17,20}$/.test(actor.id) ? `<@${actor.id}>` : actor.id;
  if (!report.applied) return `Corpus reload by ${who} (${actor.reason}) refused: ${report.problems.length} problem(s); the previous corpus is still served.`;
  const titled = (label: string, ids: string[]) => {
    if (ids.length === 0) return [];
    const shown = ids.slice(0, AUDIT_TITLES).map((id) => `“${escapeUserText(truncateAtWord(report.titles[id] ?? id, 100))}”`);
    return [`${label}: ${shown.join(', ')}${ids.length > AUDIT_TITLES ? ` and ${ids.length - AUDIT_TITLES} more` : ''}`];
  };
  return [
    `Corpus reloaded by ${who} (${actor.reason}): ${report.documents} articles.`,
    ...titled('Added', report.added),
    ...titled('Removed', report.removed),
    ...titled('Changed', report.changed),
  ].join('\n');
}
