/**
 * What members made of the answers, kept as JSON lines on disk: each question answered or
 * declined, and each 👍/👎. Records name the server, never the member. Files rotate by day and
 * size, and the oldest are dropped above a total size, so the folder stays bounded. (With
 * DATABASE_URL, records go to the database instead: src/store/feedbackRows.ts.)
 */
import { appendFile, mkdir, readdir, readFile, stat, unlink } from 'node:fs/promises';
import path from 'node:path';

export type FeedbackOutcome = 'answered' | 'declined' | 'up' | 'down';

export interface FeedbackRecord {
  /** ISO 8601, UTC. */
  time: string;
  /** The server asked in; null outside one. */
  guildId: string | null;
  question: string;
  /** The passage quoted or voted on (`documentId:paragraph`), when there was one. */
  passageId?: string;
  outcome: FeedbackOutcome;
}

export interface FeedbackStoreOptions {
  /** Folder of `feedback-*.jsonl` files; created on the first write. */
  dir: string;
  /** A file is closed (a new one started) once it would grow past this; default 1 MiB. */
  maxFileBytes?: number;
  /** The most all files may hold together: the oldest are deleted to stay within it; default 16 MiB. */
  maxTotalBytes?: number;
}

/** Where feedback records are kept: files (FeedbackStore), or the database. */
export interface FeedbackRecords {
  /** Where, for the log: a folder, or "the database". */
  readonly location: string;
  /** Appends one record; one that fails has written nothing, and may be tried again. */
  append(record: FeedbackRecord): Promise<void>;
  /** Every record at or after `since`, oldest first. */
  read(since: Date): Promise<FeedbackRecord[]>;
}

const OUTCOMES: ReadonlySet<string> = new Set<FeedbackOutcome>(['answered', 'declined', 'up', 'down']);
/** `feedback-2024-05-01T12-00-00-000Z.jsonl`: named by the time of its first record, so names sort by age. */
const FILE_NAME = /^feedback-(\d{4}-\d{2}-\d{2})T[\d-]+Z\.jsonl$/;

interface OpenFile {
  name: string;
  day: string;
  bytes: number;
}

/**
 * Appends and reads feedback records. Appends must not overlap (the bot's FeedbackLog queues
 * them); several processes (shards) may share a folder: each appends whole lines with O_APPEND.
 */
export class FeedbackStore implements FeedbackRecords {
  readonly dir: string;
  readonly #maxFileBytes: number;
  readonly #maxTotalBytes: number;
  #current: OpenFile | undefined;

  constructor({ dir, maxFileBytes = 1024 * 1024, maxTotalBytes = 16 * 1024 * 1024 }: FeedbackStoreOptions) {
    this.dir = dir;
    this.#maxFileBytes = Math.min(maxFileBytes, maxTotalBytes);
    this.#maxTotalBytes = maxTotalBytes;
  }

  get location(): string {
    return this.dir;
  }

  /**
   * Appends one record, to a new file when its day differs from the current file's or the file is
   * full. The line is written last: an append that fails has written nothing, and may be retried.
   */
  async append(record: FeedbackRecord): Promise<void> {
    const line = `${JSON.stringify(record)}\n`;
    const bytes = Buffer.byteLength(line);
    const day = record.time.slice(0, 10);
    this.#current ??= await this.#reopenLatest();
    const current = this.#current;
    if (current && current.day === day && current.bytes + bytes <= this.#maxFileBytes) {
      await appendFile(path.join(this.dir, current.name), line);
      current.bytes += bytes;
      return;
    }
    const next = { name: `feedback-${record.time.replace(/[:.]/g, '-')}.jsonl`, day, bytes };
    await mkdir(this.dir, { recursive: true });
    await this.#dropOldest(next.name);
    await appendFile(path.join(this.dir, next.name), line);
    this.#current = next;
  }

  /** Every record at or after `since`, oldest first; lines that don't parse (a torn write) are skipped. */
  async read(since: Date): Promise<FeedbackRecord[]> {
    const sinceTime = since.toISOString();
    const sinceDay = sinceTime.slice(0, 10);
    const records: FeedbackRecord[] = [];
    for (const { name, day } of await this.#files()) {
      if (day < sinceDay) continue;
      const text = await readFile(path.join(this.dir, name), 'utf8').catch(ignoreMissing(''));
      for (const line of text.split('\n')) {
        const record = parseRecord(line);
        if (record && record.time >= sinceTime) records.push(record);
      }
    }
    return records;
  }

  /** The newest file, to keep appending to after a restart. */
  async #reopenLatest(): Promise<OpenFile | undefined> {
    const latest = (await this.#files()).at(-1);
    if (!latest) return undefined;
    const { size } = await stat(path.join(this.dir, latest.name));
    return { ...latest, bytes: size };
  }

  /**
   * Deletes the oldest files but `starting` until the others fit in `maxTotalBytes` less a whole
   * file's room, so that the one being started stays within the total as it fills.
   */
  async #dropOldest(starting: string): Promise<void> {
    const older = (await this.#files()).filter((file) => file.name !== starting);
    const sizes = await Promise.all(older.map(async (file) => (await stat(path.join(this.dir, file.name)).catch(ignoreMissing({ size: 0 }))).size));
    let total = sizes.reduce((sum, size) => sum + size, 0);
    for (const [position, file] of older.entries()) {
      if (total <= this.#maxTotalBytes - this.#maxFileBytes) break;
      await unlink(path.join(this.dir, file.name)).catch(ignoreMissing(undefined));
      total -= sizes[position]!;
    }
  }

  /** Feedback files, oldest first. */
  async #files(): Promise<Array<{ name: string; day: string }>> {
    const names = await readdir(this.dir).catch(ignoreMissing<string[]>([]));
    return names.sort().flatMap((name) => {
      const day = FILE_NAME.exec(name)?.[1];
      return day ? [{ name, day }] : [];
    });
  }
}

/** A catch handler: `fallback` when the file or folder doesn't exist (another shard may have just dropped it), else rethrows. */
function ignoreMissing<T>(fallback: T): (error: unknown) => T {
  return (error) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return fallback;
    throw error;
  };
}

function parseRecord(line: string): FeedbackRecord | undefined {
  if (line.trim() === '') return undefined;
  try {
    const value = JSON.parse(line) as Partial<FeedbackRecord>;
    if (typeof value.time !== 'string' || typeof value.question !== 'string' || !OUTCOMES.has(value.outcome as string)) return undefined;
    if (value.guildId !== null && typeof value.guildId !== 'string') return undefined;
    return {
      time: value.time,
      guildId: value.guildId,
      question: value.question,
      ...(typeof value.passageId === 'string' && { passageId: value.passageId }),
      outcome: value.outcome!,
    };
  } catch {
    return undefined;
  }
}

export interface QuestionTally {
  /** As first asked (later askings may differ in case or spacing). */
  question: string;
  declined: number;
  down: number;
}

export interface FeedbackSummary {
  /** Questions answered plus declined. */
  questions: number;
  answered: number;
  declined: number;
  up: number;
  down: number;
  /** The questions most often declined or voted 👎, worst first (at most `worstCount`). */
  worst: QuestionTally[];
}

/** How many questions the summary lists as the worst. */
export const WORST_QUESTIONS = 5;

/**
 * Counts `records` of one server (every server when `guildId` is undefined). The same question
 * asked with other case or spacing counts as one.
 */
export function summarizeFeedback(records: readonly FeedbackRecord[], guildId?: string, worstCount = WORST_QUESTIONS): FeedbackSummary {
  const summary: FeedbackSummary = { questions: 0, answered: 0, declined: 0, up: 0, down: 0, worst: [] };
  const tallies = new Map<string, QuestionTally>();
  for (const record of records) {
    if (guildId !== undefined && record.guildId !== guildId) continue;
    summary[record.outcome] += 1;
    if (record.outcome === 'answered' || record.outcome === 'declined') summary.questions += 1;
    if (record.outcome !== 'declined' && record.outcome !== 'down') continue;
    const key = record.question.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
    const tally = tallies.get(key) ?? { question: record.question, declined: 0, down: 0 };
    tally[record.outcome] += 1;
    tallies.set(key, tally);
  }
  summary.worst = [...tallies.values()].sort((a, b) => b.declined + b.down - (a.declined + a.down) || b.down - a.down).slice(0, worstCount);
  return summary;
}
