/** A corpus document built in memory, as if read from `<id>.md` with its body starting on line 8. */
import type { CorpusDocument } from '../../src/corpus/types.js';

export function corpusDocument(id: string, body: string, details: Partial<CorpusDocument> = {}): CorpusDocument {
  return {
    id,
    title: `The ${id}`,
    author: 'Jane Roe',
    publisher: 'Example News',
    published: '2020-01-02',
    url: `https://example.com/${id}`,
    file: `${id}.md`,
    body,
    bodyLine: 8,
    hash: '0'.repeat(64),
    ...details,
  };
}
