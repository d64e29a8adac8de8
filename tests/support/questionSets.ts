/**
 * The two evaluation sets, each split in a fixed way into a tuning half and a held-out half
 * (tune on one, report the other):
 * - SQuAD 2.0 dev questions on two Wikipedia articles (tests/fixtures/squad-dev), split by
 *   paragraph, so no paragraph's questions are on both sides;
 * - tests/fixtures/questions.json on the bundled article (corpus/), split by question id.
 * Shared by the accuracy tests, the bench and tests/bench/semanticEval.ts.
 */
import { readFileSync } from 'node:fs';
import { loadCorpus } from '../../src/corpus/loadCorpus.js';
import type { CorpusDocument } from '../../src/corpus/types.js';
import { buildSearchIndex, type SearchIndex } from '../../src/index/buildSearchIndex.js';
import { loadQuestionSet, type EvalQuestion } from './questionSet.js';

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
  index: SearchIndex;
  /** The articles, as read (with their bodies), for systems that index them their own way. */
  documents: CorpusDocument[];
  questions: Array<EvalQuestion & { half: Half }>;
  /** The number `evaluate` compares for a passage: its paragraph, made unique across documents. */
  paragraphKey: (documentId: string, paragraph: number) => number;
}

async function indexOf(corpusDir: string): Promise<{ index: SearchIndex; documents: CorpusDocument[] }> {
  const { documents, problems } = await loadCorpus(corpusDir);
  if (problems.length > 0) throw new Error(`${corpusDir}: ${problems.map((problem) => problem.message).join('; ')}`);
  return { index: buildSearchIndex(documents), documents };
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
  const { index, documents } = await indexOf(new URL('../fixtures/squad-dev/corpus', import.meta.url).pathname);
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
  return { name: 'squad-dev', index, documents, questions, paragraphKey };
}

export async function articleSet(): Promise<QuestionSet> {
  return {
    name: 'questions.json',
    ...(await indexOf(new URL('../../corpus', import.meta.url).pathname)),
    questions: loadQuestionSet().map((q) => ({ ...q, half: halfOf(q.id) })),
    paragraphKey: (_documentId, paragraph) => paragraph,
  };
}

