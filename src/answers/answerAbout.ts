/**
 * Answers a question about an article itself (who wrote it, when it came out, what it is about)
 * from its front matter, quoting a passage verbatim: the one naming its author (a bio) for who
 * wrote it, else how it opens.
 */
import { documentKey, isVisibleIn, type DocumentInfo } from '../corpus/types.js';
import { documentOf, visiblePassageByRef, type SearchIndex } from '../index/buildSearchIndex.js';
import { analyze } from '../text/analyze.js';
import { toResult, unmatched, type Answer, type ArticleIntent } from './answerQuestion.js';

/** Opening passages quoted for what an article is about: its first, and more behind "More passages". */
const OPENING_PASSAGES = 3;

/** The article of the first of `refs` (`passageRef`s) still served and visible to `scope`. */
export function documentOfRefs(index: SearchIndex, refs: readonly string[], scope: string | undefined): DocumentInfo | undefined {
  for (const ref of refs) {
    const passage = visiblePassageByRef(index, ref, scope);
    if (passage) return documentOf(index, passage);
  }
  return undefined;
}

/**
 * Which article "this article" means: the one named or followed up on, else the only one the
 * server sees, else the one closest to the question (when known), else the newest.
 */
export function articleAskedAbout(
  index: SearchIndex,
  scope: string | undefined,
  known: { named?: DocumentInfo; followed?: DocumentInfo; closest?: DocumentInfo },
): DocumentInfo | undefined {
  if (known.named ?? known.followed) return known.named ?? known.followed;
  const visible = index.documents.filter((document) => isVisibleIn(document.scope, scope));
  if (visible.length === 1) return visible[0];
  return (
    known.closest ??
    visible.reduce<DocumentInfo | undefined>((newest, document) => (!newest || document.published > newest.published ? document : newest), undefined)
  );
}

export function answerAbout(index: SearchIndex, question: string, intent: ArticleIntent, document: DocumentInfo): Answer {
  const ids = index.minisearchIdsByDocument.get(documentKey(document))!;
  const authorTerms = new Set(analyze(document.author));
  const naming = intent === 'author' ? ids.find((id) => analyze(index.passageAt.get(id)!.text).some((term) => authorTerms.has(term))) : undefined;
  const quoted = (naming === undefined ? ids.slice(0, intent === 'topic' ? OPENING_PASSAGES : 1) : [naming]).map((id) => toResult(index, unmatched(id), 0));
  return { question, answered: true, results: quoted, related: [], didYouMean: [], about: { intent, document, passage: quoted[0]! } };
}
