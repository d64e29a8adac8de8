/**
 * The bot's feedback service: records each question's outcome and each vote in the background
 * (an answer never waits for the disk, nor fails with it), lets a member vote once per answer,
 * and summarises a server's recent feedback for `/feedback`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { summarizeFeedback, type FeedbackRecord, type FeedbackRecords, type FeedbackSummary } from '../feedback/feedbackStore.js';
import type { Logger } from '../runtime/logger.js';

export type Vote = 'up' | 'down';

export interface QuestionOutcome {
  guildId: string | null;
  question: string;
  /** The passage quoted, when answered. */
  passageId?: string;
  answered: boolean;
}

export interface VoteEntry {
  guildId: string | null;
  question: string;
  passageId: string;
  vote: Vote;
  /** Who voted and on which message: only to refuse a second vote, never written anywhere. */
  voterId: string;
  messageId: string;
}

export interface FeedbackLog {
  /** Records an answered or declined question. Returns at once; a failed write is only logged. */
  recordQuestion(outcome: QuestionOutcome): void;
  /**
   * Records a vote, unless this member already voted on this message: then records nothing and
   * returns false. Remembered in memory only, per process (each shard, until it restarts).
   */
  recordVote(entry: VoteEntry): boolean;
  /** One server's feedback over the last `days` days, including every record still being written. */
  summary(guildId: string, days: number): Promise<FeedbackSummary>;
  /** Resolves when every record queued so far is written (or has failed). */
  flush(): Promise<void>;
}

export interface FeedbackLogOptions {
  store: FeedbackRecords;
  logger: Logger;
  /** Records waiting for the disk beyond this are dropped (and logged): a stalled disk can't grow memory. */
  maxPending?: number;
  /** Votes remembered for "once per member and answer"; the oldest are forgotten beyond this. */
  maxRememberedVotes?: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Errors that say the process (or the system) is out of file descriptors for now, as in a burst of
 * connections: descriptors come back as those close, so the record waits and is tried again.
 */
const OUT_OF_FILES: ReadonlySet<string | undefined> = new Set(['EMFILE', 'ENFILE']);
/** Waits between tries: 0.1 s doubling to 10 s, about a minute in all, then the record is given up (and logged). */
const RETRY_DELAYS_MS = Array.from({ length: 11 }, (_, attempt) => Math.min(100 * 2 ** attempt, 10_000));

export function createFeedbackLog({ store, logger, maxPending = 1000, maxRememberedVotes = 50_000 }: FeedbackLogOptions): FeedbackLog {
  let queue: Promise<void> = Promise.resolve();
  let pending = 0;
  // Member and message ids are kept only as salted hashes, and only in this process's memory.
  const salt = randomBytes(16);
  const votesSeen = new Set<string>();

  const write = (record: FeedbackRecord) => {
    if (pending >= maxPending) {
      logger.warn({ pending }, 'feedback not recorded: too many records waiting for the disk');
      return;
    }
    pending += 1;
    queue = queue
      .then(() => appendWhenFilesAllow(store, record))
      .catch((error: unknown) => logger.warn({ err: error, store: store.location }, 'could not record feedback (answers are unaffected)'))
      .finally(() => {
        pending -= 1;
      });
  };

  return {
    recordQuestion({ guildId, question, passageId, answered }) {
      write({ time: new Date().toISOString(), guildId, question, ...(passageId !== undefined && { passageId }), outcome: answered ? 'answered' : 'declined' });
    },
    recordVote({ guildId, question, passageId, vote, voterId, messageId }) {
      const key = createHash('sha256').update(salt).update(`${voterId}:${messageId}`).digest('base64url');
      if (votesSeen.has(key)) return false;
      votesSeen.add(key);
      if (votesSeen.size > maxRememberedVotes) votesSeen.delete(votesSeen.values().next().value!);
      write({ time: new Date().toISOString(), guildId, question, passageId, outcome: vote });
      return true;
    },
    async summary(guildId, days) {
      await queue;
      return summarizeFeedback(await store.read(new Date(Date.now() - days * DAY_MS)), guildId);
    },
    flush: () => queue,
  };
}

/**
 * Appends `record`, trying again after each wait of RETRY_DELAYS_MS while the process is out of
 * file descriptors (an append that fails so has written nothing). Records after it wait in the
 * queue meanwhile, bounded by maxPending.
 */
async function appendWhenFilesAllow(store: FeedbackRecords, record: FeedbackRecord): Promise<void> {
  for (const delay of RETRY_DELAYS_MS) {
    try {
      return await store.append(record);
    } catch (error) {
      if (!OUT_OF_FILES.has((error as NodeJS.ErrnoException).code)) throw error;
      // The global timer, which tests' fake timers drive.
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
  return store.append(record);
}
