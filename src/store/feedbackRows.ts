/** Feedback records in the database (with DATABASE_URL), shared by every host: as FeedbackStore keeps them in files. */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { FeedbackOutcome, FeedbackRecord, FeedbackRecords } from '../feedback/feedbackStore.js';
import { asUnavailable } from './database.js';

interface FeedbackRow {
  time: Date;
  guild_id: string | null;
  question: string;
  passage_id: string | null;
  outcome: FeedbackOutcome;
}

const INSERT = 'INSERT INTO feedback (time, guild_id, question, passage_id, outcome, imported_key) VALUES ($1, $2, $3, $4, $5, $6)';

/** A record as inserted: `importedKey` for a record copied from a file, so that it is copied once. */
const values = ({ time, guildId, question, passageId, outcome }: FeedbackRecord, importedKey: string | null) => [
  time,
  guildId,
  question,
  passageId ?? null,
  outcome,
  importedKey,
];

export class DatabaseFeedback implements FeedbackRecords {
  readonly location = 'the database';
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async append(record: FeedbackRecord): Promise<void> {
    await this.#pool.query(INSERT, values(record, null)).catch((error: unknown) => {
      throw asUnavailable(error);
    });
  }

  async read(since: Date): Promise<FeedbackRecord[]> {
    const { rows } = await this.#pool.query<FeedbackRow>(
      'SELECT time, guild_id, question, passage_id, outcome FROM feedback WHERE time >= $1 ORDER BY time, id',
      [since],
    );
    return rows.map((row) => ({
      time: row.time.toISOString(),
      guildId: row.guild_id,
      question: row.question,
      ...(row.passage_id !== null && { passageId: row.passage_id }),
      outcome: row.outcome,
    }));
  }
}

/** Copies a record read from a feedback file, unless an earlier import copied the same one; true when copied. */
export async function importFeedback(db: pg.ClientBase, record: FeedbackRecord): Promise<boolean> {
  const key = createHash('sha256')
    .update(JSON.stringify(values(record, null)))
    .digest('base64url');
  const { rowCount } = await db.query(`${INSERT} ON CONFLICT (imported_key) DO NOTHING`, values(record, key));
  return rowCount === 1;
}
