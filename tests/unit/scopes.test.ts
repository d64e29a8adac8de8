/**
 * Scopes below the bot: the corpus folder's layout (the base, and `servers/<id>/` per server),
 * ids per scope, and an index whose every lookup sees only the base and the asking server's own
 * articles — words included, so a term only another server has is never suggested or shown.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerQuestion } from '../../src/answers/answerQuestion.js';
import { searchPassages } from '../../src/answers/searchPassages.js';
import { loadCorpus } from '../../src/corpus/loadCorpus.js';
import { buildSearchIndex, updateSearchIndex, type SearchIndex } from '../../src/index/buildSearchIndex.js';
import { analyzeQuery } from '../../src/index/queryIndex.js';
import { Library, type ReloadReport } from '../../src/library/Library.js';
import { reportForScope } from '../../src/library/reportForScope.js';
import { passageRef } from '../../src/passages/splitIntoPassages.js';

const A = '1150000000000000000';
const B = '1160000000000000000';
const article = (title: string, body: string, id?: string) =>
  `---\n${id ? `id: ${id}\n` : ''}title: ${title}\nauthor: A. Writer\npublisher: Gazette\npublished: 2021-03-04\nurl: https://example.com/${encodeURIComponent(title)}\n---\n\n${body}\n`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'citebot-scopes-'));
  await writeFile(path.join(dir, 'harbour.md'), article('Harbour notes', 'The ferry to the island leaves at dawn. Tickets are sold on board.'));
  await mkdir(path.join(dir, 'servers', A, 'drafts'), { recursive: true });
  await mkdir(path.join(dir, 'servers', B), { recursive: true });
  await mkdir(path.join(dir, 'servers', 'not-a-server'));
  await writeFile(path.join(dir, 'servers', A, 'whales.md'), article('Whale watching', 'Humpback whales breach near the zeppelin hangar every spring.'));
  await writeFile(path.join(dir, 'servers', A, 'drafts', 'x.md'), article('Draft', 'A draft.'));
  await writeFile(path.join(dir, 'servers', A, 'notes.txt'), 'not an article');
  // B reuses A's id: ids are unique per server.
  await writeFile(path.join(dir, 'servers', B, 'whales.md'), article('Orca sightings', 'Orcas hunt seals off the northern cape.'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the corpus folder’s layout', () => {
  it('reads the base and each server folder named by an id, reporting what it does not read', async () => {
    const { documents, problems, skipped } = await loadCorpus(dir);
    expect(documents.map((document) => [document.file, document.id, document.scope])).toEqual([
      ['harbour.md', 'harbour', undefined],
      [`servers/${A}/whales.md`, 'whales', A],
      [`servers/${B}/whales.md`, 'whales', B],
    ]);
    expect(problems).toEqual([]);
    expect(skipped.map((entry) => entry.file)).toEqual([`servers/${A}/drafts/`, `servers/${A}/notes.txt`, 'servers/not-a-server']);
  });

  it('reads only the servers asked for, besides the base', async () => {
    expect((await loadCorpus(dir, { servers: [A] })).documents.map((document) => document.file)).toEqual(['harbour.md', `servers/${A}/whales.md`]);
  });
});

describe('one index for every scope', () => {
  let index: SearchIndex;
  beforeAll(async () => {
    index = buildSearchIndex((await loadCorpus(dir)).documents);
  });

  it('answers each server from the base and its own articles only', () => {
    expect(answerQuestion(index, 'Where do humpback whales breach?', { scope: A }).results[0]?.document.title).toBe('Whale watching');
    expect(answerQuestion(index, 'Where do humpback whales breach?', { scope: B }).results.map((result) => result.document.title)).not.toContain(
      'Whale watching',
    );
    expect(answerQuestion(index, 'Where do humpback whales breach?').answered).toBe(false);
    expect(answerQuestion(index, 'When does the ferry leave?', { scope: B }).results[0]?.document.title).toBe('Harbour notes');
  });

  it('never expands, suggests or shows a word only another server’s articles have', () => {
    // "zeppelin" is only in A's article: to B it is an unknown word, and no typo of it is fixed.
    expect(analyzeQuery(index, 'zeppelin', { scope: B })[0]).toMatchObject({ known: false, expansions: [] });
    expect(analyzeQuery(index, 'zepelin', { scope: A })[0]!.expansions.map((expansion) => expansion.term)).toContain('zeppelin');
    expect(analyzeQuery(index, 'zepelin', { scope: B })[0]!.expansions).toEqual([]);
    for (const question of ['zepelin humpbak', 'Tell me about the island', 'qqqq']) {
      const shown = JSON.stringify(answerQuestion(index, question, { scope: B }));
      expect(shown).not.toMatch(/zeppelin|humpback|whale watching|breach/i);
    }
    expect(searchPassages(index, 'zepp', { limit: 5, partial: true, scope: B })).toEqual([]);
    expect(searchPassages(index, 'zepp', { limit: 5, partial: true, scope: A })[0]!.document.title).toBe('Whale watching');
    expect(searchPassages(index, '', { limit: 25, scope: B }).map((hit) => hit.document.title)).toEqual(['Harbour notes', 'Orca sightings']);
  });

  it('resolves passage references and documents within the asking scope', async () => {
    const library = (await Library.open({ dir })).library!;
    const [whaleA] = library.search('humpback', { limit: 1, scope: A });
    const ref = passageRef(whaleA!.passage);
    expect(library.passageByRef(ref, A)?.document.title).toBe('Whale watching');
    // B's "whales" has a passage with the same id, but not the same text.
    expect(library.passageByRef(ref, B)).toBeUndefined();
    expect(library.passageByRef(ref)).toBeUndefined();
    expect(library.paragraph('whales', 1, B).map((passage) => passage.text)).toEqual(['Orcas hunt seals off the northern cape.']);
    expect(library.findDocuments('', 25, { scope: B }).map((document) => document.title)).toEqual(['Harbour notes', 'Orca sightings']);
    expect(library.findDocuments('', 25, { scope: B, own: true }).map((document) => document.title)).toEqual(['Orca sightings']);
    expect(library.sources(A, 25)).toMatchObject({
      total: 2,
      passageCounts: new Map([
        ['harbour', 1],
        [`${A}/whales`, 1],
      ]),
    });
  });

  it('never resolves a reference or document id forged as another server’s key (`<server>/<id>`)', async () => {
    const library = (await Library.open({ dir })).library!;
    const forged = `${A}/${passageRef(library.search('humpback', { limit: 1, scope: A })[0]!.passage)}`;
    expect(library.passageByRef(forged, B)).toBeUndefined();
    expect(library.passageByRef(forged)).toBeUndefined();
    expect(library.paragraph(`${A}/whales`, 1, B)).toEqual([]);
    expect(library.paragraph(`${A}/whales`, 1)).toEqual([]);
    expect(library.findDocuments(`${A}/whales`, 25, { scope: B })).toEqual([]);
  });

  it('updates one server’s article without analysing any other', async () => {
    const documents = (await loadCorpus(dir)).documents;
    const copy = buildSearchIndex(documents);
    const edited = documents.map((document) => (document.scope === A ? { ...document, body: 'Humpback whales left.', hash: 'edited' } : document));
    expect(updateSearchIndex(copy, edited)).toEqual({ added: [], removed: [], changed: [`${A}/whales`], analysed: 1 });
  });
});

describe('reportForScope', () => {
  const report: ReloadReport = {
    applied: false,
    problems: [
      { file: 'base.md', message: 'base problem' },
      { file: `servers/${A}/a.md`, message: 'A problem' },
      { file: `servers/${B}/b.md`, message: 'B problem' },
    ],
    skipped: [
      { file: `servers/${B}/notes.txt`, message: 'not read' },
      { file: 'servers/junk', message: 'not read' },
    ],
    added: ['base-new', `${A}/mine`, `${B}/theirs`],
    removed: [`${B}/gone`],
    changed: [],
    titles: { 'base-new': 'New base', [`${A}/mine`]: 'Mine', [`${B}/theirs`]: 'Theirs', [`${B}/gone`]: 'Gone' },
    documents: 10,
    passages: 100,
    scopeSizes: { '': { documents: 5, passages: 50 }, [A]: { documents: 2, passages: 20 }, [B]: { documents: 3, passages: 30 } },
    analysed: 3,
    ms: 1,
  };

  it('shows a server the base and its own, by plain id, and only counts other servers’ problems', () => {
    expect(reportForScope(report, A)).toMatchObject({
      problems: [
        { file: 'base.md', message: 'base problem' },
        { file: `servers/${A}/a.md`, message: 'A problem' },
        { file: 'servers/', message: "1 problem(s) in other servers' articles: whoever runs the bot sees them in its log" },
      ],
      skipped: [{ file: 'servers/junk', message: 'not read' }],
      added: ['base-new', 'mine'],
      removed: [],
      titles: { 'base-new': 'New base', mine: 'Mine' },
      documents: 7,
      passages: 70,
    });
    expect(JSON.stringify(reportForScope(report, A))).not.toMatch(/Theirs|Gone|b\.md|notes\.txt/);
  });
});
