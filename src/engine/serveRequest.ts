/** How an engine worker answers each request (see protocol.ts) from the library it serves. */
import type { Library } from '../library/Library.js';
import { passageRef } from '../passages/splitIntoPassages.js';
import type { EngineRequest, EngineRequestKind, EngineResults, FoundPassage } from './protocol.js';

export async function serveRequest(library: Library, request: EngineRequest): Promise<EngineResults[EngineRequestKind]> {
  switch (request.kind) {
    case 'answer': {
      const answer = await library.answer(request.question, request.options);
      if (answer.results.length > 0 || answer.related.length > 0 || request.titlesWhenDeclined === undefined) return answer;
      const { documents, total } = library.sources(request.options.scope, request.titlesWhenDeclined);
      return { ...answer, titles: { shown: documents.map((document) => document.title), total } };
    }
    case 'search':
      return library.search(request.query, request.options);
    case 'lookup': {
      const chosen = library.passageByRef(request.query, request.scope);
      return chosen ? { chosen, hits: [] } : { hits: library.search(request.query, { scope: request.scope, limit: request.limit }) };
    }
    case 'passages':
      return request.refs.map((ref) => library.passageByRef(ref, request.scope));
    case 'paragraph': {
      const found = library.passageByRef(request.ref, request.scope);
      if (!found) return [];
      return library
        .paragraph(found.document.id, found.passage.paragraph, request.scope)
        .map((passage) => library.passageByRef(passageRef(passage), request.scope))
        .filter((part): part is FoundPassage => part !== undefined);
    }
    case 'share': {
      const found = library.passageByRef(request.ref, request.scope);
      if (!found || request.question === undefined) return { found };
      const answer = await library.answer(request.question, { top: request.top, scope: request.scope });
      return { found, result: answer.results.find((candidate) => passageRef(candidate.passage) === request.ref) };
    }
    case 'sources':
      return library.sources(request.scope, request.limit, { offset: request.offset, own: request.own });
    case 'findDuplicate':
      return library.findDuplicate(request.url, request.fingerprint, request.scope);
    case 'documentPassages':
      return library.documentPassages(request.documentId, request.scope);
    case 'findDocuments':
      return library.findDocuments(request.typed, request.limit, { scope: request.scope, own: request.own });
  }
}
