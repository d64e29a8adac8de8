/**
 * The evaluation sets, each split in a fixed way into a tuning half and a held-out half
 * (tune on one, report the other):
 * - SQuAD 2.0 dev questions on two Wikipedia articles (tests/fixtures/squad-dev), split by
 *   paragraph, so no paragraph's questions are on both sides;
 * - tests/fixtures/questions.json on the bundled article (corpus/), split by question id;
 * - tests/fixtures/chat-questions.json, typed the way members type, on both corpora, its halves
 *   written in the file.
 * Shared by the accuracy tests, the bench and tests/bench/semanticEval.ts.
 */
import { readFileSync } from 'node:fs';
import { answerHybrid } from '../../src/answers/answerHybrid.js';
import type { Answer } from '../../src/answers/answerQuestion.js';
import { loadCorpus } from '../../src/corpus/loadCorpus.js';
import type { CorpusDocument } from '../../src/corpus/types.js';
import { buildSearchIndex, type SearchIndex } from '../../src/index/buildSearchIndex.js';
import type { SemanticIndex } from '../../src/semantic/SemanticIndex.js';
import { loadQuestionSet, type EvalAnswer, type EvalQuestion } from './questionSet.js';

export type Half = 'tuning' | 'held-out';

/** FNV-1a: a fixed, well-spread hash, so the split never changes between runs. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

export function halfOf(key: string): Half {
  return hash(key) % 2 === 0 ? 'tuning' : 'held-out';
}

export interface QuestionSet {
  name: string;
  /** The corpus folder, for systems that open it themselves (a Library). */
  dir: string;
  index: SearchIndex;
  /** The articles, as read (with their bodies), for systems that index them their own way. */
  documents: CorpusDocument[];
  questions: Array<EvalQuestion & { half: Half }>;
  /** The number `evaluate` compares for a passage: its paragraph, made unique across documents. */
  paragraphKey: (documentId: string, paragraph: number) => number;
}

async function indexOf(corpusDir: string): Promise<{ dir: string; index: SearchIndex; documents: CorpusDocument[] }> {
  const { documents, problems } = await loadCorpus(corpusDir);
  if (problems.length > 0) throw new Error(`${corpusDir}: ${problems.map((problem) => problem.message).join('; ')}`);
  return { dir: corpusDir, index: buildSearchIndex(documents), documents };
}

/** One SQuAD 2.0 dev question as tests/fixtures/squad-dev stores it. */
export interface SquadQuestion {
  q: string;
  /** The document (file name without extension) and paragraph that answer it. */
  doc: string;
  paragraph: number;
  /** Written to look answerable, but the paragraph does not answer it. */
  impossible: boolean;
}

/** The 418 SQuAD 2.0 dev questions, in file order. */
export function loadSquadQuestions(): SquadQuestion[] {
  return (JSON.parse(readFileSync(new URL('../fixtures/squad-dev/questions.json', import.meta.url), 'utf8')) as { questions: SquadQuestion[] }).questions;
}

export async function squadSet(): Promise<QuestionSet> {
  const { dir, index, documents } = await indexOf(new URL('../fixtures/squad-dev/corpus', import.meta.url).pathname);
  const documentNumber = new Map(index.documents.map((document, i) => [document.id, i]));
  const paragraphKey = (documentId: string, paragraph: number) => documentNumber.get(documentId)! * 1000 + paragraph;
  const questions = loadSquadQuestions().map((q, i) => ({
    id: `squad-${i}`,
    question: q.q,
    kind: q.impossible ? ('unanswerable' as const) : ('direct' as const),
    paragraph: q.impossible ? null : paragraphKey(q.doc, q.paragraph),
    expect: null,
    half: halfOf(`${q.doc}:${q.paragraph}`),
  }));
  return { name: 'squad-dev', dir, index, documents, questions, paragraphKey };
}

export async function articleSet(): Promise<QuestionSet> {
  return {
    name: 'questions.json',
    ...(await indexOf(new URL('../../corpus', import.meta.url).pathname)),
    questions: loadQuestionSet().map((q) => ({ ...q, half: halfOf(q.id) })),
    paragraphKey: (_documentId, paragraph) => paragraph,
  };
}

/** One question of tests/fixtures/chat-questions.json as stored. */
interface ChatQuestionEntry {
  id: string;
  question: string;
  /** The document it is about; its corpus is the one that holds it. */
  article: string;
  kind: 'chat' | 'typo' | 'fragment' | 'meta' | 'off-topic';
  /** 1-based paragraphs that answer it; null: it must be declined. */
  paragraphs: number[] | null;
  intent?: EvalQuestion['intent'];
  half: Half;
}

/** Paragraph keys unique across the documents of several corpora, and a key's readable name. */
export function paragraphKeys(documentIds: readonly string[]): { key: QuestionSet['paragraphKey']; name: (key: number) => string } {
  return {
    key: (documentId, paragraph) => documentIds.indexOf(documentId) * 1000 + paragraph,
    name: (key) => `${documentIds[Math.floor(key / 1000)]} ¶${key % 1000}`,
  };
}

/**
 * tests/fixtures/chat-questions.json, as one set per corpus it asks about (the bundled article's,
 * SQuAD's), with paragraph keys unique across both (`paragraphKeys` of every document, in order).
 */
export async function chatSets(): Promise<QuestionSet[]> {
  const { questions: entries } = JSON.parse(readFileSync(new URL('../fixtures/chat-questions.json', import.meta.url), 'utf8')) as {
    questions: ChatQuestionEntry[];
  };
  const sets = await Promise.all([articleSet(), squadSet()]);
  const paragraphKey = paragraphKeys(sets.flatMap((set) => set.documents.map((document) => document.id))).key;
  const placed = new Set<string>();
  const chat = sets.map((set) => {
    const documentIds = new Set(set.documents.map((document) => document.id));
    const paragraphs = new Set(set.index.passages.map((passage) => `${passage.documentId}:${passage.paragraph}`));
    const questions = entries
      .filter((entry) => documentIds.has(entry.article))
      .map((entry) => {
        placed.add(entry.id);
        const missing = entry.paragraphs?.filter((number) => !paragraphs.has(`${entry.article}:${number}`)) ?? [];
        if (missing.length > 0) throw new Error(`chat-questions.json: ${entry.id}'s article has no paragraph ${missing.join(', ')}`);
        if ((entry.kind === 'meta') !== (entry.intent !== undefined))
          throw new Error(`chat-questions.json: ${entry.id} must have an intent if and only if it is 'meta'`);
        const keys = entry.paragraphs?.map((number) => paragraphKey(entry.article, number)) ?? [];
        return {
          id: entry.id,
          question: entry.question,
          kind: entry.kind,
          paragraph: keys[0] ?? null,
          alsoAccept: keys.slice(1),
          expect: null,
          intent: entry.intent,
          article: entry.article,
          half: entry.half,
        };
      });
    return { ...set, name: `chat-questions.json on ${set.name}`, questions, paragraphKey };
  });
  const unplaced = entries.filter((entry) => !placed.has(entry.id));
  if (unplaced.length > 0) throw new Error(`chat-questions.json: no corpus holds the article of ${unplaced.map((entry) => entry.id).join(', ')}`);
  return chat;
}

/** An answer reduced to what scoring needs, its paragraphs numbered across the set's documents. */
export function evalAnswerOf(set: QuestionSet, answer: Answer): EvalAnswer {
  return {
    answered: answer.answered,
    results: answer.results.map((result) => ({ paragraph: set.paragraphKey(result.passage.documentId, result.passage.paragraph), quote: result.quote })),
    ...(answer.about && { about: { intent: answer.about.intent, document: answer.about.document.id } }),
  };
}

/** A question of the set answered by words and meaning (the hybrid stages alone, the whole corpus visible), its vector waited for. */
export async function answerByMeaning(set: QuestionSet, semantic: SemanticIndex, question: string, top: number): Promise<Answer> {
  const visible = { documents: set.index.documents.length, passages: set.index.passages.length };
  return answerHybrid(set.index, question, (await semantic.questionVector(question, 60_000))!, semantic, visible, { top });
}
