/**
 * Corpus changes as the bot performs them: every change is logged with the moderator's id and,
 * when `AUDIT_CHANNEL_ID` is set, announced there. Commands call this, never `Engine.reload`
 * directly, so that the change reaches every process serving the corpus (see corpusSync.ts). A server's moderators
 * change only that server's own articles (`servers/<id>/` in the corpus folder), within its
 * quota, and see reports of what that server is served; the audit channel, the operator's, is
 * told of every server's changes.
 */
import path from 'node:path';
import { Routes, type REST } from 'discord.js';
import { CorpusBusy, unwritableFolderMessage, type RetiredFile, type WriteResult, type retireCorpusFile } from '../../engine/corpusFiles.js';
import { CorpusTaskTimeout, offThread, StoreUnavailable, type CorpusTasks } from '../../engine/corpusTasks.js';
import { serverFolder } from '../../corpus/loadCorpus.js';
import type { Engine } from '../../engine/Engine.js';
import type { Duplicate } from '../../engine/protocol.js';
import type { ReloadReport } from '../../library/Library.js';
import { reportForScope } from '../../library/reportForScope.js';
import type { BotConfig } from '../../runtime/config.js';
import { reloadSummary } from '../../library/reloadSummary.js';
import type { CorpusSync, ShardOutcome } from './corpusSync.js';
import { shownTitle } from '../messages.js';
import { truncateAtWord } from '../../text/sentences.js';
import type { Logger } from '../../runtime/logger.js';
import { buildMessage, escapeUserText } from '../responses.js';

export interface Actor {
  /** Discord user id, or a label such as "SIGHUP" or "watcher". */
  id: string;
  reason: string;
}

export interface AddOutcome {
  write?: WriteResult;
  /** The article this one repeats, when that refused it (see `Upload.unique`). */
  duplicate?: NonNullable<Duplicate>;
  /** A sentence for the moderator when nothing could be written (and no `write`). */
  refused?: string;
  outcomes: ShardOutcome[];
}

export interface Upload {
  fileName: string;
  bytes: Uint8Array;
  replace: boolean;
  /**
   * The article's address and text (`articleFingerprint`): one the server already sees at that
   * address or with that text is refused (`duplicate`) or, with `replace`, overwritten in its own
   * file; a base article is never overwritten from Discord.
   */
  unique?: { url: string; fingerprint: string };
  /**
   * The server's own article this upload is a new version of (`/corpus refresh`), and the hash of
   * its file as it was read: written over that file only while it is still the one served (not
   * removed or changed meanwhile); another article it repeats refuses it, `replace` or not.
   */
  refreshes?: { documentId: string; hash: string };
}

export interface RemoveOutcome {
  retired?: RetiredFile;
  /** A sentence for the moderator when nothing was moved. */
  refused?: string;
  outcomes: ShardOutcome[];
}

/** Corpus changes as one server's moderators make them: its own articles, and reports of what it is served. */
export interface ServerCorpusChanges {
  /** Reloads the corpus from disk everywhere it is served; one outcome per shard, as this server sees it. */
  reload(actor: Actor): Promise<ShardOutcome[]>;
  /**
   * Writes an uploaded article into this server's folder if it is valid and within the server's
   * quota, then reloads (no reload when refused).
   */
  add(actor: Actor, upload: Upload): Promise<AddOutcome>;
  /**
   * Moves one of this server's own articles to its `.removed/`, then reloads. `refused` when it is
   * a base article, the last valid article, or the folder cannot be written; otherwise `retired`
   * is undefined when no file has that id.
   */
  remove(actor: Actor, documentId: string): Promise<RemoveOutcome>;
}

export interface CorpusChanges {
  /**
   * Reloads the corpus from disk everywhere it is served (or, `here`, in this process only: where
   * every process watches the folder itself); one outcome per shard, every server's changes.
   */
  reload(actor: Actor, where?: 'everywhere' | 'here'): Promise<ShardOutcome[]>;
  /** The changes a server's moderators may make (none outside a server: `scope` undefined). */
  forScope(scope: string | undefined): ServerCorpusChanges;
  /** The same changes to the base corpus, every server's: for the operator's own tools (followed feeds), never from Discord. */
  forBase(): ServerCorpusChanges;
  /** Posts a line to the audit channel, when there is one (never throws). */
  audit(text: string): Promise<void>;
}

export interface CorpusChangesOptions {
  engine: Engine;
  logger: Logger;
  config: Pick<BotConfig, 'auditChannelId' | 'serverMaxArticles' | 'serverMaxBytes' | 'serverMaxPassages'>;
  /** How a reload reaches every process serving the corpus. */
  sync: CorpusSync;
  /** Discord's REST API, authenticated with the bot token: for the audit channel. */
  rest: Pick<REST, 'post'>;
  /** How files are written and retired (default: in worker threads, off the Discord thread). */
  tasks?: CorpusTasks;
}

export function createCorpusChanges({ engine, logger, config, sync, rest, tasks = offThread }: CorpusChangesOptions): CorpusChanges {
  // Changes run one at a time, each with its checks, write and reload; the write lock keeps
  // other processes' changes apart as well (see corpusFiles.ts).
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
  /** The moderator's sentence for a folder that cannot be written now, or a change stopped; any other error is rethrown. */
  const refuseUnwritable = (error: unknown, context: Record<string, string | undefined>): string => {
    // The database down (DATABASE_URL): nothing was written, and the store's log line says why.
    if (error instanceof StoreUnavailable) return STORE_UNAVAILABLE;
    const message =
      error instanceof CorpusBusy
        ? 'Another change to this server’s articles is still being written (perhaps from another shard): try again in a moment.'
        : error instanceof CorpusTaskTimeout
          ? 'Checking this change took too long, so it was stopped: run `/sources` to see whether it was made, and if this happens again, tell whoever runs the bot (the log says more).'
          : unwritableFolderMessage(error);
    if (message === undefined) throw error;
    logger.warn({ err: error, ...context }, 'corpus folder cannot be written');
    return message;
  };
  const reloadAndAudit = async (actor: Actor, where: 'everywhere' | 'here' = 'everywhere'): Promise<ShardOutcome[]> => {
    const outcomes = await (where === 'here' ? sync.reloadHere() : sync.reloadEverywhere());
    for (const { shard, report } of outcomes)
      logger.info({ actorId: actor.id, reason: actor.reason, shard, ...reloadSummary(report) }, report.applied ? 'corpus reloaded' : 'corpus reload refused');
    const report = outcomes[0]?.report;
    // A reload that changed nothing (e.g. the watcher after /corpus add already reloaded) is not news.
    const changedNothing = report?.applied && report.added.length + report.removed.length + report.changed.length === 0;
    if (report && !changedNothing) await audit(auditNotice(actor, report));
    return outcomes;
  };
  const add = (scope: string | undefined, actor: Actor, { fileName: named, bytes, replace, unique, refreshes }: Upload): Promise<AddOutcome> =>
    oneAtATime(async () => {
      const view = engine.view(scope);
      const action = refreshes ? 'refresh' : 'add';
      if (refreshes) {
        const served = (await view.documentPassages(refreshes.documentId))?.document;
        if (!served || served.scope !== scope || served.hash !== refreshes.hash)
          return {
            refused: 'The article was changed or removed while its page was being fetched, so nothing was written: run `/corpus refresh` again.',
            outcomes: [],
          };
      }
      // Checked in turn with the other changes, after the reload of any before it, so an article added twice in a row is seen.
      const found = unique && (await view.findDuplicate(unique.url, unique.fingerprint));
      // A new version repeats its own article: only another one is a duplicate.
      const duplicate = found && !(refreshes && found.document.scope === scope && found.document.id === refreshes.documentId) ? found : undefined;
      if (duplicate && (!replace || refreshes || duplicate.document.scope === undefined)) return { duplicate, outcomes: [] };
      const fileName = duplicate ? path.basename(duplicate.document.file) : named;
      let write: WriteResult;
      try {
        write = await tasks.write(engine.dir, fileName, bytes, {
          replace,
          scope,
          quota: { maxArticles: config.serverMaxArticles, maxBytes: config.serverMaxBytes, maxPassages: config.serverMaxPassages },
          maxFileBytes: engine.options.maxFileBytes,
        });
      } catch (error) {
        return { refused: refuseUnwritable(error, { actorId: actor.id, scope, file: fileName, action }), outcomes: [] };
      }
      if (!write.ok) {
        logger.info(
          { actorId: actor.id, scope, file: fileName, action, refused: write.reason, ...('problems' in write && { problems: write.problems.length }) },
          'corpus file refused',
        );
        return { write, outcomes: [] };
      }
      const file = scope === undefined ? write.file : `${serverFolder(scope)}/${write.file}`;
      logger.info({ actorId: actor.id, scope, file, documentId: write.documentId, replaced: write.replaced, action }, 'corpus file added');
      // The reload's log line and audit notice name the file through the reason.
      return { write, outcomes: await changes.reload({ id: actor.id, reason: `${actor.reason}: ${write.replaced ? 'replaced' : 'added'} ${file}` }) };
    });
  const remove = (scope: string | undefined, actor: Actor, documentId: string): Promise<RemoveOutcome> =>
    oneAtATime(async () => {
      let retired: Awaited<ReturnType<typeof retireCorpusFile>>;
      try {
        retired = await tasks.retire(engine.dir, documentId, { maxFileBytes: engine.options.maxFileBytes, keepLast: true, scope });
      } catch (error) {
        return { refused: refuseUnwritable(error, { actorId: actor.id, scope, documentId, action: 'remove' }), outcomes: [] };
      }
      if (!retired) return { outcomes: [] };
      if ('sharedArticle' in retired) {
        logger.info({ actorId: actor.id, scope, documentId, action: 'remove', refused: 'base article' }, 'corpus file refused');
        return {
          refused: `“${escapeUserText(truncateAtWord(retired.sharedArticle, 200))}” is one of the articles every server is answered from, so it cannot be removed from Discord; only whoever runs the bot can remove it, from the corpus folder. \`/corpus remove\` removes this server’s own articles.`,
          outcomes: [],
        };
      }
      if ('onlyArticle' in retired) {
        logger.info({ actorId: actor.id, scope, file: retired.onlyArticle, documentId, action: 'remove', refused: 'last article' }, 'corpus file refused');
        return {
          refused: `\`${retired.onlyArticle}\` is the only article left, and the bot needs at least one to answer from: add another before removing it.`,
          outcomes: [],
        };
      }
      const inFolder = (name: string) => (scope === undefined ? name : `${serverFolder(scope)}/${name}`);
      const file = inFolder(retired.file);
      const movedTo = inFolder(retired.movedTo);
      logger.info({ actorId: actor.id, scope, file, movedTo, documentId, action: 'remove' }, 'corpus file removed');
      return { retired, outcomes: await changes.reload({ id: actor.id, reason: `${actor.reason}: moved ${file} to ${movedTo}` }) };
    });
  const notInAServer = 'Articles can be added and removed only in a server: each server has its own.';
  const changes: CorpusChanges = {
    reload: reloadAndAudit,
    audit,
    forBase: () => ({
      reload: (actor) => changes.reload(actor),
      add: (actor, upload) => add(undefined, actor, upload),
      remove: (actor, documentId) => remove(undefined, actor, documentId),
    }),
    forScope(scope) {
      const scoped = <T extends { outcomes: ShardOutcome[] }>(outcome: T): T => ({
        ...outcome,
        outcomes: outcome.outcomes.map(({ shard, report }) => ({ shard, report: reportForScope(report, scope) })),
      });
      return {
        reload: async (actor) => scoped({ outcomes: await changes.reload(actor) }).outcomes,
        add: async (actor, upload) => (scope === undefined ? { refused: notInAServer, outcomes: [] } : scoped(await add(scope, actor, upload))),
        remove: async (actor, documentId) => (scope === undefined ? { refused: notInAServer, outcomes: [] } : scoped(await remove(scope, actor, documentId))),
      };
    },
  };
  return changes;
}

/** What a moderator is told when the store of record (the database) cannot take a change now. */
export const STORE_UNAVAILABLE = 'Storage is unavailable, try again shortly.';

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
    const shown = ids.slice(0, AUDIT_TITLES).map((id) => `“${escapeUserText(shownTitle(report.titles[id] ?? id, 100))}”`);
    return [`${label}: ${shown.join(', ')}${ids.length > AUDIT_TITLES ? ` and ${ids.length - AUDIT_TITLES} more` : ''}`];
  };
  return [
    `Corpus reloaded by ${who} (${actor.reason}): ${report.documents} articles.`,
    ...titled('Added', report.added),
    ...titled('Removed', report.removed),
    ...titled('Changed', report.changed),
  ].join('\n');
}
