/**
 * Questions about the article itself (who wrote it, when it was published, what it is about),
 * recognised by meaning rather than by wording: the question's embedding is compared with a few
 * example questions per intent, so "who penned this?" is recognised without listing "penned".
 * Such questions are answered from the front matter and a passage of the article (the one naming its author, or its opening), not by search.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Embedder } from './embedder.js';
import { cosine } from './vectors.js';

export type ArticleIntent = 'author' | 'published' | 'topic';

/**
 * Example questions per intent. They only have to span the ways of asking; their exact words
 * matter little, since only meaning is compared. They speak of "the article", never of a topic,
 * so that a question about something *in* an article ("Who wrote the Domesday Book?") stays
 * further from them than a question about the article.
 */
export const ARTICLE_INTENT_EXAMPLES: Readonly<Record<ArticleIntent, readonly string[]>> = {
  author: ['Who wrote this article?', 'Who is the author of this article?', 'Which journalist wrote this story?', 'Who is the writer of this piece?'],
  published: ['When was this article published?', 'What is the date of this article?', 'When was this story written?', 'How old is this article?'],
  topic: ['What is this article about?', 'What is the main point of this article?', 'Summarise this article.', 'What is the topic of this story?'],
};

/**
 * Least cosine between a question and an intent's closest example for the question to count as
 * that intent. Measured by tests/bench/semanticEval.ts: no SQuAD question (all about things
 * inside their articles) reaches it, and reworded questions about the article, none of them
 * an example here, do.
 */
export const MIN_INTENT_COSINE = 0.7;

export interface IntentMatch {
  intent: ArticleIntent;
  /** Cosine with the intent's closest example. */
  cosine: number;
}

export interface ArticleIntentClassifier {
  /** The intent a question (its unit vector) asks, or undefined when it asks about something in the article. */
  classify(question: Float32Array): IntentMatch | undefined;
  /** The closest intent whatever its cosine (for measuring). */
  closest(question: Float32Array): IntentMatch;
}

/** Embeds the examples once; the classifier then costs a few dot products per question. */
export async function loadArticleIntents(embedder: Embedder, minCosine = MIN_INTENT_COSINE): Promise<ArticleIntentClassifier> {
  const intents = Object.keys(ARTICLE_INTENT_EXAMPLES) as ArticleIntent[];
  const examples: Float32Array[][] = [];
  for (const intent of intents) {
    examples.push(await embedder.embed(ARTICLE_INTENT_EXAMPLES[intent]));
    // One intent's examples at a time, other work (questions) in between.
    await nextTurn();
  }
  function closest(question: Float32Array): IntentMatch {
    let best: IntentMatch = { intent: intents[0]!, cosine: -Infinity };
    intents.forEach((intent, i) => {
      for (const example of examples[i]!) {
        const similarity = cosine(question, example);
        if (similarity > best.cosine) best = { intent, cosine: similarity };
      }
    });
    return best;
  }
  return {
    closest,
    classify(question) {
      const match = closest(question);
      return match.cosine >= minCosine ? match : undefined;
    },
  };
}
