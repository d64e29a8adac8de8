/**
 * SentencePiece (unigram) tokenisation for the Universal Sentence Encoder lite: the text is cut
 * into the vocabulary's pieces along the most likely path (Viterbi over the pieces' log
 * probabilities). It must cut exactly as the model was trained to see text, so it follows
 * SentencePiece's `EncodeAsIds` as TensorFlow.js's own port of it does (tfjs-models,
 * universal-sentence-encoder/src/tokenizer, Apache-2.0): NFKC, spaces as "▁", a "▁" in front,
 * unknown characters as id 0 with runs of them merged into one.
 */

/** SentencePiece's word-start marker, which stands for a space. */
const WORD_START = '\u2581';

/** Ids 0–5 are reserved (unknown, <s>, </s>, extra tokens) and never matched in text. */
const RESERVED_IDS = 6;

/** The id of an unknown character. */
const UNKNOWN_ID = 0;

/** One vocabulary entry: the piece and its log probability. */
export type VocabularyEntry = [piece: string, logProbability: number];

interface TrieNode {
  children: Map<string, TrieNode>;
  /** Id of the piece that ends here, if one does. */
  id?: number;
}

export class SentencePieceTokenizer {
  private readonly root: TrieNode = { children: new Map() };

  constructor(private readonly vocabulary: readonly VocabularyEntry[]) {
    for (let id = RESERVED_IDS; id < vocabulary.length; id += 1) {
      let node = this.root;
      for (const symbol of vocabulary[id]![0]) {
        let child = node.children.get(symbol);
        if (!child) node.children.set(symbol, (child = { children: new Map() }));
        node = child;
      }
      node.id = id;
    }
  }

  /** The token ids of `text`, in order. Empty text has none. */
  encode(text: string): number[] {
    const normalized = text.normalize('NFKC');
    if (normalized === '') return [];
    const symbols = [...(WORD_START + normalized.replace(/ /g, WORD_START))];
    // best[end]: score of the best cut of symbols[0, end); last[end]: the piece that ends it.
    const best = new Float64Array(symbols.length + 1);
    const last: Array<{ id: number; length: number } | undefined> = new Array(symbols.length + 1);
    const reached = new Uint8Array(symbols.length + 1);
    reached[0] = 1;
    for (let start = 0; start < symbols.length; start += 1) {
      if (!reached[start]) continue;
      let matched = false;
      let node: TrieNode | undefined = this.root;
      for (let end = start; end < symbols.length; end += 1) {
        node = node.children.get(symbols[end]!);
        if (!node) break;
        if (node.id === undefined) continue;
        matched = true;
        this.relax(best, last, reached, start, end + 1, node.id, this.vocabulary[node.id]![1]);
      }
      // A character no piece starts with stands alone as unknown, scored 0 like the port does.
      if (!matched) this.relax(best, last, reached, start, start + 1, UNKNOWN_ID, 0);
    }
    const ids: number[] = [];
    for (let end = symbols.length; end > 0; ) {
      const piece = last[end]!;
      ids.push(piece.id);
      end -= piece.length;
    }
    ids.reverse();
    return ids.filter((id, i) => !(id === UNKNOWN_ID && ids[i - 1] === UNKNOWN_ID));
  }

  private relax(
    best: Float64Array,
    last: Array<{ id: number; length: number } | undefined>,
    reached: Uint8Array,
    start: number,
    end: number,
    id: number,
    score: number,
  ): void {
    const total = best[start]! + score;
    // ≥ rather than >: among equally likely cuts the port keeps the last one found.
    if (!reached[end] || total >= best[end]!) {
      best[end] = total;
      last[end] = { id, length: end - start };
      reached[end] = 1;
    }
  }
}
