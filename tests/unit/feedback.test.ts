/** The feedback store (rotation, size bound, time window), its summary, and the bot's FeedbackLog. */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createFeedbackLog, type FeedbackLog } from '../../src/app/feedbackLog.js';
import type { Logger } from '../../src/runtime/logger.js';
import { feedbackReport } from '../../src/feedback/feedbackReport.js';
import { FeedbackStore, summarizeFeedback, type FeedbackRecord } from '../../src/feedback/feedbackStore.js';

const GUILD = '1150000000000000000';
const OTHER_GUILD = '1150000000000000009';
const DAY_MS = 24 * 60 * 60 * 1000;

/** One folder for the whole file, removed at the end; each test gets a fresh subfolder. */
let root = '';
let folders = 0;
beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'citebot-feedback-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});
async function tempDir(): Promise<string> {
  const dir = path.join(root, String(++folders));
  await mkdir(dir);
  return dir;
}

function record(overrides: Partial<FeedbackRecord> = {}): FeedbackRecord {
  return { time: '2024-05-01T12:00:00.000Z', guildId: GUILD, question: 'Who wrote it?', outcome: 'answered', passageId: 'doc:1', ...overrides };
}

/** A logger that keeps warnings. */
function recordingLogger(): Logger & { warnings: unknown[][] } {
  const warnings: unknown[][] = [];
  return { warn: (...args: unknown[]) => warnings.push(args), warnings } as unknown as Logger & { warnings: unknown[][] };
}

describe('FeedbackStore', () => {
  it('appends JSON lines to one file per day, and reads back the records since a time', async () => {
    const dir = await tempDir();
    const store = new FeedbackStore({ dir });
    await store.append(record({ time: '2024-05-01T10:00:00.000Z', question: 'first' }));
    await store.append(record({ time: '2024-05-01T23:59:59.000Z', question: 'second', outcome: 'declined', passageId: undefined }));
    await store.append(record({ time: '2024-05-02T00:00:01.000Z', question: 'third', outcome: 'up' }));
    const files = (await readdir(dir)).sort();
    expect(files).toEqual(['feedback-2024-05-01T10-00-00-000Z.jsonl', 'feedback-2024-05-02T00-00-01-000Z.jsonl']);
    expect(
      (await readFile(path.join(dir, files[0]!), 'utf8'))
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).question),
    ).toEqual(['first', 'second']);

    expect((await store.read(new Date('2024-04-01T00:00:00Z'))).map((r) => r.question)).toEqual(['first', 'second', 'third']);
    // The window starts at a time, not at a file's day.
    expect((await store.read(new Date('2024-05-01T12:00:00Z'))).map((r) => r.question)).toEqual(['second', 'third']);
    expect(await store.read(new Date('2024-05-03T00:00:00Z'))).toEqual([]);
    const [, second] = await store.read(new Date('2024-04-01T00:00:00Z'));
    expect(second).toEqual({ time: '2024-05-01T23:59:59.000Z', guildId: GUILD, question: 'second', outcome: 'declined' });
  });

  it('starts a new file when the current one would pass maxFileBytes, and keeps appending to the newest after a restart', async () => {
    const dir = await tempDir();
    const line = Buffer.byteLength(`${JSON.stringify(record())}\n`);
    const store = new FeedbackStore({ dir, maxFileBytes: line * 3 });
    for (let i = 0; i < 7; i++) await store.append(record({ time: `2024-05-01T12:00:0${i}.000Z` }));
    const files = (await readdir(dir)).sort();
    expect(files).toHaveLength(3);
    const sizes = await Promise.all(files.map(async (file) => (await readFile(path.join(dir, file))).length));
    expect(sizes).toEqual([line * 3, line * 3, line]);

    const restarted = new FeedbackStore({ dir, maxFileBytes: line * 3 });
    await restarted.append(record({ time: '2024-05-01T12:00:08.000Z' }));
    expect((await readdir(dir)).sort()).toEqual(files);
    expect(await restarted.read(new Date(0))).toHaveLength(8);
  });

  it('drops the oldest files once all of them pass maxTotalBytes, keeping the newest records', async () => {
    const dir = await tempDir();
    const line = Buffer.byteLength(`${JSON.stringify(record())}\n`);
    const store = new FeedbackStore({ dir, maxFileBytes: line * 2, maxTotalBytes: line * 5 });
    for (let i = 0; i < 40; i++) await store.append(record({ time: new Date(Date.UTC(2024, 4, 1, 12, 0, i)).toISOString() }));
    const files = await readdir(dir);
    const total = (await Promise.all(files.map(async (file) => (await readFile(path.join(dir, file))).length))).reduce((a, b) => a + b, 0);
    expect(total).toBeLessThanOrEqual(line * 5);
    const kept = await store.read(new Date(0));
    expect(kept.length).toBeGreaterThanOrEqual(4);
    expect(kept.at(-1)!.time).toBe(new Date(Date.UTC(2024, 4, 1, 12, 0, 39)).toISOString());
    expect(kept[0]!.time > new Date(Date.UTC(2024, 4, 1, 12, 0, 30)).toISOString()).toBe(true);
  });

  it('skips torn or foreign lines and files, and reads an absent folder as empty', async () => {
    const dir = await tempDir();
    await writeFile(
      path.join(dir, 'feedback-2024-05-01T00-00-00-000Z.jsonl'),
      `${JSON.stringify(record({ question: 'kept' }))}\n{"time":"2024-05-01T1\n${JSON.stringify({ ...record(), outcome: 'maybe' })}\n${JSON.stringify({ ...record(), guildId: 5 })}\n`,
    );
    await writeFile(path.join(dir, 'notes.jsonl'), `${JSON.stringify(record({ question: 'not a feedback file' }))}\n`);
    expect((await new FeedbackStore({ dir }).read(new Date(0))).map((r) => r.question)).toEqual(['kept']);
    expect(await new FeedbackStore({ dir: path.join(dir, 'missing') }).read(new Date(0))).toEqual([]);
  });
});

describe('summarizeFeedback', () => {
  const records: FeedbackRecord[] = [
    record({ question: 'Who wrote it?', outcome: 'answered' }),
    record({ question: 'Who wrote it?', outcome: 'down' }),
    record({ question: 'who  wrote IT?', outcome: 'down' }),
    record({ question: 'What is the capital of France?', outcome: 'declined' }),
    record({ question: 'What is the capital of France?', outcome: 'declined' }),
    record({ question: 'What is the capital of France?', outcome: 'declined' }),
    record({ question: 'What about Baidu?', outcome: 'answered' }),
    record({ question: 'What about Baidu?', outcome: 'up' }),
    record({ question: 'Elsewhere?', outcome: 'declined', guildId: OTHER_GUILD }),
    ...['a', 'b', 'c', 'd'].map((question) => record({ question, outcome: 'declined' })),
  ];

  it('counts one server’s questions, outcomes and votes, and lists its five worst questions, worst first', () => {
    const summary = summarizeFeedback(records, GUILD);
    expect(summary).toMatchObject({ questions: 9, answered: 2, declined: 7, up: 1, down: 2 });
    expect(summary.worst).toHaveLength(5);
    expect(summary.worst.slice(0, 2)).toEqual([
      { question: 'What is the capital of France?', declined: 3, down: 0 },
      { question: 'Who wrote it?', declined: 0, down: 2 },
    ]);
    expect(summary.worst.map((tally) => tally.question)).not.toContain('What about Baidu?');
    expect(summary.worst.map((tally) => tally.question)).not.toContain('Elsewhere?');
  });

  it('counts every server when none is given', () => {
    expect(summarizeFeedback(records)).toMatchObject({ questions: 10, declined: 8 });
  });

  it('reads as lines, with each question shown through the caller’s escaping', () => {
    const lines = feedbackReport(summarizeFeedback(records, GUILD), 7, (question) => `<${question}>`);
    expect(lines.slice(0, 2)).toEqual(['9 questions in the last 7 days: 2 answered, 7 declined.', 'Votes on answers: 👍 1 · 👎 2']);
    expect(lines).toContain('1. “<What is the capital of France?>” (declined 3×)');
    expect(lines).toContain('2. “<Who wrote it?>” (👎 2)');
    expect(feedbackReport(summarizeFeedback([], GUILD), 1, String)).toEqual(['No questions or votes in the last day.']);
  });
});

describe('FeedbackLog', () => {
  const vote = {
    guildId: GUILD,
    question: 'Who wrote it?',
    passageId: 'doc:1',
    vote: 'up' as const,
    voterId: '1000000000000000042',
    messageId: '1200000000000000077',
  };

  it('records outcomes and votes in the background, without who voted or on which message', async () => {
    const dir = await tempDir();
    const log = createFeedbackLog({ store: new FeedbackStore({ dir }), logger: recordingLogger() });
    log.recordQuestion({ guildId: GUILD, question: 'Who wrote it?', passageId: 'doc:1', answered: true });
    log.recordQuestion({ guildId: GUILD, question: 'What is the capital of France?', answered: false });
    expect(log.recordVote(vote)).toBe(true);
    await log.flush();
    const [file] = await readdir(dir);
    const text = await readFile(path.join(dir, file!), 'utf8');
    expect(text).not.toContain(vote.voterId);
    expect(text).not.toContain(vote.messageId);
    const lines = text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map(({ outcome, passageId }) => [outcome, passageId])).toEqual([
      ['answered', 'doc:1'],
      ['declined', undefined],
      ['up', 'doc:1'],
    ]);
    for (const line of lines)
      expect(Object.keys(line).sort()).toEqual(
        line.passageId ? ['guildId', 'outcome', 'passageId', 'question', 'time'] : ['guildId', 'outcome', 'question', 'time'],
      );
    expect(Date.now() - Date.parse(lines[0].time)).toBeLessThan(60_000);
    expect(await log.summary(GUILD, 7)).toMatchObject({ questions: 2, answered: 1, declined: 1, up: 1, down: 0 });
  });

  it('takes one vote per member and message; other members and other messages still count', async () => {
    const log = createFeedbackLog({ store: new FeedbackStore({ dir: await tempDir() }), logger: recordingLogger() });
    expect(log.recordVote(vote)).toBe(true);
    expect(log.recordVote({ ...vote, vote: 'down' })).toBe(false);
    expect(log.recordVote({ ...vote, voterId: '1000000000000000043', vote: 'down' })).toBe(true);
    expect(log.recordVote({ ...vote, messageId: '1200000000000000078' })).toBe(true);
    expect(await log.summary(GUILD, 7)).toMatchObject({ up: 2, down: 1 });
  });

  it('remembers a bounded number of votes, forgetting the oldest', () => {
    // maxPending 0: nothing is written, only remembered.
    const log = createFeedbackLog({
      store: new FeedbackStore({ dir: path.join(root, 'never-written') }),
      logger: recordingLogger(),
      maxRememberedVotes: 2,
      maxPending: 0,
    });
    for (const messageId of ['1', '2', '3']) expect(log.recordVote({ ...vote, messageId })).toBe(true);
    expect(log.recordVote({ ...vote, messageId: '3' })).toBe(false);
    expect(log.recordVote({ ...vote, messageId: '1' })).toBe(true);
  });

  it('never throws nor waits when the disk fails: it logs, and drops records beyond maxPending', async () => {
    const dir = await tempDir();
    const blocker = path.join(dir, 'a-file');
    await writeFile(blocker, '');
    const logger = recordingLogger();
    // A folder that can't be created: its parent is a file.
    const log = createFeedbackLog({ store: new FeedbackStore({ dir: path.join(blocker, 'feedback') }), logger, maxPending: 2 });
    for (let i = 0; i < 3; i++) expect(() => log.recordQuestion({ guildId: GUILD, question: 'q', answered: true })).not.toThrow();
    await log.flush();
    expect(logger.warnings.filter(([, message]) => message === 'could not record feedback (answers are unaffected)')).toHaveLength(2);
    expect(logger.warnings.filter(([, message]) => String(message).startsWith('feedback not recorded: too many'))).toHaveLength(1);
  });

  /** A store that fails its next `failures` appends as a process out of file descriptors does (EMFILE and ENFILE in turn). */
  class OutOfFilesStore extends FeedbackStore {
    attempts = 0;
    constructor(
      dir: string,
      public failures: number,
    ) {
      super({ dir });
    }

    override async append(record: FeedbackRecord): Promise<void> {
      this.attempts += 1;
      const code = this.attempts % 2 ? 'EMFILE' : 'ENFILE';
      if (this.failures-- > 0) throw Object.assign(new Error(`${code}: too many open files, open`), { code });
      return super.append(record);
    }
  }

  /**
   * A log over an OutOfFilesStore failing `failures` times, run through `during` with fake timers,
   * then flushed: the questions written, in order, and what was logged.
   */
  async function outOfFiles(failures: number, during: (log: FeedbackLog, store: OutOfFilesStore, logger: ReturnType<typeof recordingLogger>) => Promise<void>) {
    const dir = await tempDir();
    const store = new OutOfFilesStore(dir, failures);
    const logger = recordingLogger();
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const log = createFeedbackLog({ store, logger });
      await during(log, store, logger);
      await log.flush();
    } finally {
      vi.useRealTimers();
    }
    const text = (await Promise.all((await readdir(dir)).map((file) => readFile(path.join(dir, file), 'utf8')))).join('');
    return {
      questions: text
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line).question),
      warnings: logger.warnings,
    };
  }
  const ask = (log: FeedbackLog, question: string) => log.recordQuestion({ guildId: GUILD, question, answered: true });

  it('loses nothing while the process is out of file descriptors: it waits, then writes every record in order', async () => {
    const { questions, warnings } = await outOfFiles(4, async (log, store) => {
      for (const question of ['first', 'second', 'third']) ask(log, question);
      await vi.advanceTimersByTimeAsync(0);
      // It backs off rather than retry at once.
      expect(store.attempts).toBe(1);
      await vi.advanceTimersByTimeAsync(60_000);
    });
    expect(questions).toEqual(['first', 'second', 'third']);
    expect(warnings).toEqual([]);
  });

  it('gives a record up, logged, when descriptors stay short for about a minute, and goes on with the next', async () => {
    const { questions, warnings } = await outOfFiles(Infinity, async (log, store, logger) => {
      ask(log, 'lost');
      ask(log, 'kept');
      let seconds = 0;
      while (logger.warnings.length === 0 && seconds < 600) {
        await vi.advanceTimersByTimeAsync(1_000);
        seconds += 1;
      }
      expect(seconds).toBeGreaterThanOrEqual(30);
      expect(seconds).toBeLessThanOrEqual(90);
      // Descriptors come back once the first record's retries are over.
      store.failures = 0;
      await vi.advanceTimersByTimeAsync(60_000);
    });
    expect(questions).toEqual(['kept']);
    expect(warnings).toEqual([
      [
        expect.objectContaining({ err: expect.objectContaining({ code: expect.stringMatching(/^E[MN]FILE$/) }) }),
        'could not record feedback (answers are unaffected)',
      ],
    ]);
  });

  it('counts only the asked window of days', async () => {
    const dir = await tempDir();
    const store = new FeedbackStore({ dir });
    const now = Date.now();
    for (const [ageDays, question] of [
      [9, 'too old'],
      [6.9, 'in the week'],
      [0, 'today'],
    ] as const) {
      await store.append(record({ time: new Date(now - ageDays * DAY_MS).toISOString(), question, outcome: 'declined' }));
    }
    const log = createFeedbackLog({ store, logger: recordingLogger() });
    expect((await log.summary(GUILD, 7)).worst.map((tally) => tally.question).sort()).toEqual(['in the week', 'today']);
    expect((await log.summary(GUILD, 1)).worst.map((tally) => tally.question)).toEqual(['today']);
  });
});
