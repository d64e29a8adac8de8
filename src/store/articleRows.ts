/**
 * Each server's own articles as rows of PostgreSQL, changed as files are (writeCorpusFile,
 * retireCorpusFile): the same checks, results and messages, in one transaction per change that
 * also records it in the change sequence and announces it (NOTIFY). The transaction holds an
 * advisory lock for the server, so two hosts changing one server's articles at once take turns:
 * its quota and ids are checked against rows no other change can alter meanwhile.
 *
 * Run in a corpus task's worker thread (articleTaskWorker.ts): the checks read the base corpus.
 */
import type { ClientBase } from 'pg';
import { isServerId, loadCorpus, serverFolder } from '../corpus/loadCorpus.js';
import { parseCorpusFile } from '../corpus/parseCorpusFile.js';
import type { CorpusDocument } from '../corpus/types.js';
import {
  CorpusBusy,
  checkWrite,
  prepareWrite,
  removedName,
  servedArticle,
  type RetireOptions,
  type RetireResult,
  type ServedArticle,
  type WriteOptions,
  type WriteResult,
} from '../engine/corpusFiles.js';
import { splitIntoPassages } from '../passages/splitIntoPassages.js';

/** The channel every change is announced on, with its `seq` as the payload. */
export const CHANGES_CHANNEL = 'citebot_changes';

/** The first key of the advisory locks that keep one scope's changes apart (the second: the scope's hash). */
const ARTICLE_LOCK_SPACE = 22_001;
/** How long a change waits for another one to the same server's articles, as the folder's lock waits (see corpusFiles.ts). */
const LOCK_TIMEOUT = '20s';

/** A scope as the database keeps it: '' for the base corpus, else the server's id. */
export const scopeKey = (scope: string | undefined): string => scope ?? '';

/** Text as stored: exactly the file's bytes (a byte-order mark kept), which the checks found to be UTF-8. */
export const articleText = (bytes: Uint8Array): string => new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);

export type ChangeOp = 'add' | 'replace' | 'remove';

/** Records a change in the sequence and announces it when the transaction commits; resolves with its `seq` and time. */
export async function recordChange(db: ClientBase, kind: string, scope: string, name: string, op: ChangeOp): Promise<{ seq: string; at: Date }> {
  const { rows } = await db.query<{ seq: string; at: Date }>('INSERT INTO changes (kind, scope, name, op) VALUES ($1, $2, $3, $4) RETURNING seq, at', [
    kind,
    scope,
    name,
    op,
  ]);
  const change = rows[0]!;
  await db.query('SELECT pg_notify($1, $2)', [CHANGES_CHANNEL, change.seq]);
  return change;
}

/** Runs `change` in a transaction holding `scope`'s lock: committed when it says so, else rolled back. */
async function underScopeLock<T>(db: ClientBase, scope: string | undefined, change: () => Promise<{ result: T; commit: boolean }>): Promise<T> {
  await db.query('BEGIN');
  try {
    await db.query(`SET LOCAL lock_timeout = '${LOCK_TIMEOUT}'`);
    await db.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [ARTICLE_LOCK_SPACE, scopeKey(scope)]);
    const { result, commit } = await change();
    await db.query(commit ? 'COMMIT' : 'ROLLBACK');
    return result;
  } catch (error) {
    await db.query('ROLLBACK').catch(() => undefined);
    if ((error as { code?: string }).code === '55P03') throw new CorpusBusy('another change to these articles is still being written');
    throw error;
  }
}

interface ArticleRow {
  file: string;
  document_id: string;
  bytes: number;
  passages: number;
}

/**
 * The operator's base articles, from this host's corpus folder (deployed alike on every host),
 * less those the database holds (`rows` of the base: their files are mirrors of its rows).
 */
async function baseDocuments(dir: string, maxFileBytes: number | undefined, rows: readonly ArticleRow[]): Promise<CorpusDocument[]> {
  const stored = new Set(rows.map((row) => row.file));
  const { documents } = await loadCorpus(dir, { maxFileBytes, servers: [] });
  return documents.filter((document) => !stored.has(document.file));
}

/** A row as a write's checks see it. */
const rowArticle =
  (scope: string | undefined) =>
  (row: ArticleRow): ServedArticle => ({
    id: row.document_id,
    file: scope === undefined ? row.file : `${serverFolder(scope)}/${row.file}`,
    ...(scope !== undefined && { scope }),
    passages: () => row.passages,
  });

const rowsOf = (db: ClientBase, scope: string | undefined) =>
  db.query<ArticleRow>('SELECT file, document_id, bytes, passages FROM articles WHERE scope = $1', [scopeKey(scope)]).then((result) => result.rows);

/** As `writeCorpusFile`, into the database: `dir` is the corpus folder, read for the base articles an id must not repeat. */
export async function writeArticleRow(db: ClientBase, dir: string, fileName: string, bytes: Uint8Array, options: WriteOptions): Promise<WriteResult> {
  const prepared = prepareWrite(fileName, bytes, options);
  if ('ok' in prepared) return prepared;
  const { file, document } = prepared;
  const { scope } = options;
  return underScopeLock(db, scope, async (): Promise<{ result: WriteResult; commit: boolean }> => {
    const rows = await rowsOf(db, scope);
    const replaced = rows.find((row) => row.file === file);
    const checked = await checkWrite(document, bytes.length, options, {
      replacedBytes: replaced?.bytes,
      usage: async () => ({ articles: rows.length, bytes: rows.reduce((sum, row) => sum + row.bytes, 0) }),
      served: async () => [
        ...(await baseDocuments(dir, options.maxFileBytes, scope === undefined ? rows : [])).map(servedArticle),
        ...rows.map(rowArticle(scope)),
      ],
    });
    if (!checked.ok) return { result: checked, commit: false };
    const { seq } = await recordChange(db, 'article', scopeKey(scope), file, replaced ? 'replace' : 'add');
    await db.query(
      `INSERT INTO articles (scope, file, document_id, text, bytes, passages, seq) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (scope, file) DO UPDATE SET document_id = EXCLUDED.document_id, text = EXCLUDED.text, bytes = EXCLUDED.bytes,
         passages = EXCLUDED.passages, seq = EXCLUDED.seq, updated_at = now()`,
      [scopeKey(scope), file, document.id, articleText(bytes), bytes.length, splitIntoPassages(document).length, seq],
    );
    return { result: checked, commit: true };
  });
}

/** As `retireCorpusFile`, from the database: the row is deleted, and every host moves its mirror's file to `.removed/`. */
export async function retireArticleRow(db: ClientBase, dir: string, documentId: string, options: RetireOptions): Promise<RetireResult> {
  const { scope } = options;
  if (scope !== undefined && !isServerId(scope)) return undefined;
  return underScopeLock(db, scope, async (): Promise<{ result: RetireResult; commit: boolean }> => {
    const rows = await rowsOf(db, scope);
    const base = await baseDocuments(dir, options.maxFileBytes, scope === undefined ? rows : []);
    const row = rows.find((candidate) => candidate.document_id === documentId);
    if (!row) {
      const shared = scope === undefined ? undefined : base.find((document) => document.id === documentId);
      return { result: shared ? { sharedArticle: shared.title } : undefined, commit: false };
    }
    if (options.keepLast && base.length + rows.length === 1) return { result: { onlyArticle: row.file }, commit: false };
    const deleted = await db.query<{ text: string }>('DELETE FROM articles WHERE scope = $1 AND file = $2 RETURNING text', [scopeKey(scope), row.file]);
    const { at } = await recordChange(db, 'article', scopeKey(scope), row.file, 'remove');
    const text = deleted.rows[0]?.text ?? '';
    const title = parseCorpusFile(row.file, new TextEncoder().encode(text), options.maxFileBytes).document?.title ?? documentId;
    return { result: { file: row.file, documentId, title, movedTo: removedName(row.file, at) }, commit: true };
  });
}
