/**
 * The queue of new questions waiting for the sentence encoder, with an encoder whose calls the
 * test holds and releases (the real one is in tests/integration/semantic.test.ts): how long a question waits
 * for its vector, what is dropped, and what is reported for the log.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { EMBEDDING_DIMENSIONS } from '../../src/semantic/embedder.js';
import { QUESTION_CACHE_SIZE, SemanticIndex } from '../../src/semantic/SemanticIndex.js';

const encoder = vi.hoisted(() => ({
  /** The texts of each `embed` call, in order. */
  calls: [] as string[][],
  /** Each call waits for this before it returns. */
  gate: Promise.resolve() as Promise<void>,
}));

vi.mock('../../src/semantic/embedder.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../src/semantic/embedder.js')>()),
  loadEmbedder: async () => ({
    embed: async (texts: readonly string[]) => {
      encoder.calls.push([...texts]);
      await encoder.gate;
      return texts.map(() => new Float32Array(EMBEDDING_DIMENSIONS).fill(1 / Math.sqrt(EMBEDDING_DIMENSIONS)));
    },
  }),
}));
vi.mock('../../src/semantic/articleIntent.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../src/semantic/articleIntent.js')>()),
  loadArticleIntents: async () => ({ classify: () => undefined, closest: () => ({ intent: 'topic', cosine: 0 }) }),
}));

/**
 * After the queue's work already started has run its course: a drain's last call, the turn after
 * it, and the report it schedules for the turn after that. Anything still to come would be here.
 */
async function settled(): Promise<void> {
  for (let turn = 0; turn < 4; turn++) await new Promise((resolve) => setImmediate(resolve));
}

/** Holds the encoder's calls until the returned function is called. */
function holdEncoder(): () => void {
  let release!: () => void;
  encoder.gate = new Promise((resolve) => (release = resolve));
  return release;
}

describe('SemanticIndex question queue', () => {
  beforeEach(() => {
    encoder.calls = [];
    encoder.gate = Promise.resolve();
  });

  it('answers a question the encoder cannot reach in time without a vector, embeds it once no asker waits, and reports it once', async () => {
    const reports: number[] = [];
    const index = await SemanticIndex.open([], {
      onBusy: ({ turnedAway }) => {
        reports.push(turnedAway);
        throw new Error('a broken log');
      },
    });
    const release = holdEncoder();
    const first = index.questionVector('first', 10_000);
    await vi.waitFor(() => expect(encoder.calls).toEqual([['first']]));
    // Queued behind the held call: its wait runs out first.
    expect(await index.questionVector('late', 50)).toBeUndefined();
    release();
    expect(await first).toBeInstanceOf(Float32Array);
    await vi.waitFor(() => expect(reports).toEqual([1]));
    // A report that throws stops nothing: with the asker gone, it is embedded after 'first', so
    // the next asker gets its vector without waiting; nothing more to report.
    await vi.waitFor(() => expect(encoder.calls).toEqual([['first'], ['late']]));
    expect(await index.questionVector('late', 0)).toBeInstanceOf(Float32Array);
    expect(encoder.calls).toEqual([['first'], ['late']]);
    await settled();
    expect(reports).toEqual([1]);
  });

  it('embeds a question asked twice once, for as long as its most patient asker waits', async () => {
    const index = await SemanticIndex.open([]);
    const release = holdEncoder();
    const blocking = index.questionVector('blocking', 10_000);
    await vi.waitFor(() => expect(encoder.calls).toHaveLength(1));
    const patient = index.questionVector('twice', 10_000);
    const impatient = index.questionVector('twice', 50);
    expect(await impatient).toBeUndefined();
    release();
    const [vector] = await Promise.all([patient, blocking]);
    expect(vector).toBeInstanceOf(Float32Array);
    expect(encoder.calls).toEqual([['blocking'], ['twice']]);
    expect(await index.questionVector('twice', 0)).toBe(vector);
  });

  it('answers at once, without queueing it, a question it predicts the encoder cannot reach in time', async () => {
    const reports: number[] = [];
    const index = await SemanticIndex.open([], { onBusy: ({ turnedAway }) => reports.push(turnedAway) });
    const release = holdEncoder();
    const blocking = index.questionVector('blocking', 10_000);
    await vi.waitFor(() => expect(encoder.calls).toHaveLength(1));
    // One question ahead and none measured yet (10 ms each assumed): 20 ms is more than 15. The
    // answer comes before the next turn of the event loop, so long before any 15-ms wait ends.
    const nextTurn = new Promise((resolve) => setImmediate(resolve, 'waited'));
    expect(await Promise.race([index.questionVector('hopeless', 15), nextTurn])).toBeUndefined();
    release();
    await blocking;
    await vi.waitFor(() => expect(reports).toEqual([1]));
    // Embedded once nobody waits, for its next asker.
    await vi.waitFor(() => expect(encoder.calls).toEqual([['blocking'], ['hopeless']]));
    expect(await index.questionVector('hopeless', 0)).toBeInstanceOf(Float32Array);
  });

  it('embeds questions turned away only while no asker waits, the most recent 256 of them', async () => {
    const index = await SemanticIndex.open([]);
    const release = holdEncoder();
    const blocking = index.questionVector('blocking', 10_000);
    await vi.waitFor(() => expect(encoder.calls).toHaveLength(1));
    const queued = index.questionVector('queued', 10_000);
    // Too many ahead for a 5-ms wait: each is turned away at once.
    const turnedAway = Array.from({ length: 300 }, (_, i) => `turned away ${i}`);
    for (const question of turnedAway) expect(await index.questionVector(question, 5)).toBeUndefined();
    release();
    await Promise.all([blocking, queued]);
    await vi.waitFor(() => expect(encoder.calls.flat()).toContain('turned away 299'));
    await settled();
    // The askers' questions first; then the turned-away, oldest kept first, the 44 oldest forgotten, one per call.
    expect(encoder.calls.slice(0, 2)).toEqual([['blocking'], ['queued']]);
    expect(encoder.calls.slice(2)).toEqual(turnedAway.slice(44).map((question) => [question]));
  });

  it('puts an asker who arrives while questions turned away are embedded before the rest of them', async () => {
    const index = await SemanticIndex.open([]);
    let release = holdEncoder();
    const blocking = index.questionVector('blocking', 10_000);
    await vi.waitFor(() => expect(encoder.calls).toHaveLength(1));
    const turnedAway = ['later 1', 'later 2', 'later 3'];
    for (const question of turnedAway) expect(await index.questionVector(question, 5)).toBeUndefined();
    // Held on the first of them: the asker finds one question ahead, and is let in.
    const held = holdEncoder();
    release();
    release = held;
    await blocking;
    await vi.waitFor(() => expect(encoder.calls.at(-1)).toEqual(['later 1']));
    const asker = index.questionVector('asker', 10_000);
    release();
    expect(await asker).toBeInstanceOf(Float32Array);
    await vi.waitFor(() => expect(encoder.calls.flat()).toContain('later 3'));
    expect(encoder.calls.flat()).toEqual(['blocking', 'later 1', 'asker', 'later 2', 'later 3']);
  });

  it('does not count a slow call for a question nobody waits for in the pace it predicts for askers', async () => {
    const index = await SemanticIndex.open([]);
    let release = holdEncoder();
    const blocking = index.questionVector('blocking', 10_000);
    await vi.waitFor(() => expect(encoder.calls).toHaveLength(1));
    expect(await index.questionVector('turned away', 5)).toBeUndefined();
    // The turned-away question's own call is slow.
    const held = holdEncoder();
    release();
    release = held;
    await blocking;
    await vi.waitFor(() => expect(encoder.calls.at(-1)).toEqual(['turned away']));
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    release();
    await vi.waitFor(async () => expect(await index.questionVector('turned away', 0)).toBeInstanceOf(Float32Array));
    // One asker ahead, the pace still that of askers' calls (counting the 2-s call, two questions
    // would take over 0.8 s): a 0.6-s wait is enough to queue.
    release = holdEncoder();
    const ahead = index.questionVector('ahead', 10_000);
    await vi.waitFor(() => expect(encoder.calls.at(-1)).toEqual(['ahead']));
    const next = index.questionVector('next', 600);
    release();
    await ahead;
    expect(await next).toBeInstanceOf(Float32Array);
  });

  it('embeds questions that arrive together in calls of at most 8, oldest first', async () => {
    const index = await SemanticIndex.open([]);
    const questions = Array.from({ length: 20 }, (_, i) => `question ${i}`);
    const vectors = await Promise.all(questions.map((question) => index.questionVector(question)));
    expect(vectors.every((vector) => vector instanceof Float32Array)).toBe(true);
    expect(encoder.calls).toEqual([questions.slice(0, 8), questions.slice(8, 16), questions.slice(16)]);
  });

  it(`remembers the ${QUESTION_CACHE_SIZE} questions asked most recently, a popular one however long ago it was first asked`, async () => {
    const index = await SemanticIndex.open([]);
    await index.questionVector('popular');
    for (let i = 0; i < QUESTION_CACHE_SIZE; i++) {
      await index.questionVector(`question ${i}`);
      if (i % 100 === 0) await index.questionVector('popular');
    }
    encoder.calls = [];
    await index.questionVector('popular');
    await index.questionVector('question 0');
    expect(encoder.calls).toEqual([['question 0']]);
  });

  it('still embeds a question with nothing ahead of it after one very slow call', async () => {
    const index = await SemanticIndex.open([]);
    const release = holdEncoder();
    const slow = index.questionVector('slow', 10_000);
    await vi.waitFor(() => expect(encoder.calls).toHaveLength(1));
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    release();
    await slow;
    // The pace measured is now far above 50 ms a question, but nothing waits ahead of this one.
    expect(await index.questionVector('next', 50)).toBeInstanceOf(Float32Array);
  });

  it('answers by words alone when the encoder fails, reports the failure (not as busy), and embeds later questions', async () => {
    const failures: string[] = [];
    const busy: number[] = [];
    const index = await SemanticIndex.open([], {
      onQuestionsFailed: (error) => failures.push(error.message),
      onBusy: ({ turnedAway }) => busy.push(turnedAway),
    });
    encoder.gate = Promise.reject(new Error('the encoder failed'));
    encoder.gate.catch(() => {});
    expect(await index.questionVector('first')).toBeUndefined();
    expect(failures).toEqual(['the encoder failed']);
    encoder.gate = Promise.resolve();
    expect(await index.questionVector('second')).toBeInstanceOf(Float32Array);
    expect(await index.questionVector('first')).toBeInstanceOf(Float32Array);
    expect(encoder.calls).toEqual([['first'], ['second'], ['first']]);
    await settled();
    expect(busy).toEqual([]);
  });
});
