import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeedbackStore } from '../../src/feedback/feedbackStore.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ARTICLE_URL = 'https://technode.com/2015/09/25/microsoft-reveals-list-of-partnerships-with-chinese-state-and-private-sector/';
const BAIDU_QUESTION = 'Which search engine will Edge use in China?';
const BAIDU_SENTENCE = 'the Chinese search engine will feature as the primary search engine on Microsoft’s Edge browser in China.';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a CLI script of src/cli with node + tsx, from the repository root, without $CORPUS_DIR,
 * with a fresh CACHE_DIR, and by default with words alone (the semantic stage has its own test).
 */
function run(script: 'ask' | 'corpus-check' | 'feedback', args: string[], input?: string, extraEnv: NodeJS.ProcessEnv = { SEMANTIC: 'off' }): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, CACHE_DIR: mkdtempSync(path.join(os.tmpdir(), 'citebot-cli-cache-')), ...extraEnv };
  delete env.CORPUS_DIR;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', `src/cli/${script}.ts`, ...args], { cwd: ROOT, env, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

const squash = (text: string) => text.replace(/\s+/g, ' ');
const show = (result: Run) => `exit ${result.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;

/** Asserts the exact key set of an object. */
function expectKeys(value: unknown, keys: string[]): void {
  expect(value).toBeTypeOf('object');
  expect(Object.keys(value as object).sort()).toEqual([...keys].sort());
}
const ANSWER_KEYS = ['question', 'understood', 'answered', 'reason', 'about', 'results'];
const RESULT_KEYS = ['id', 'document', 'paragraph', 'score', 'quote', 'highlight'];
const DOCUMENT_KEYS = ['id', 'title', 'author', 'publisher', 'published', 'url'];

function expectJsonAnswer(answer: unknown): void {
  expectKeys(answer, ANSWER_KEYS);
  const { results } = answer as { results: unknown[] };
  expect(Array.isArray(results)).toBe(true);
  for (const result of results) {
    expectKeys(result, RESULT_KEYS);
    expectKeys((result as { document: unknown }).document, DOCUMENT_KEYS);
  }
}

/** An article whose text carries terminal escape sequences: clear screen, window title, a C1 control. */
const HOSTILE_ARTICLE = `---
title: "Lighthouse \\e[2J keepers \\e]0;owned\\a"
author: A. Writer
publisher: Gazette
published: 2021-03-04
url: https://example.com/lighthouses
---

The northern lighthouse \u001b[2Jwas automated in 1998\u009b31m, ending two centuries of resident keepers.
`;
const ESCAPES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

describe('the CLI', () => {
  // Each process costs about half a second: start them all at once, then check each.
  const runs: Record<string, Promise<Run>> = {};
  let scratch: string;
  beforeAll(async () => {
    scratch = await mkdtemp(path.join(os.tmpdir(), 'citebot-cli-'));
    const hostile = path.join(scratch, 'hostile');
    const nothingRead = path.join(scratch, 'nothing-read');
    await mkdir(hostile);
    await mkdir(path.join(nothingRead, 'drafts'), { recursive: true });
    await writeFile(path.join(hostile, 'lighthouses.md'), HOSTILE_ARTICLE);
    await writeFile(path.join(hostile, 'bad.md'), HOSTILE_ARTICLE.replace('published: 2021-03-04', 'published: "\\e]0;x\\a2021"'));
    await writeFile(path.join(nothingRead, 'notes.txt'), HOSTILE_ARTICLE);
    await writeFile(path.join(nothingRead, 'drafts', 'lighthouses.md'), HOSTILE_ARTICLE);
    Object.assign(runs, {
      help: run('ask', ['--help']),
      checkHelp: run('corpus-check', ['--help']),
      hostile: run('ask', ['--corpus', hostile, 'When was the lighthouse automated?']),
      hostileJson: run('ask', ['--json', '--corpus', hostile, 'When was the lighthouse automated?']),
      checkHostile: run('corpus-check', [hostile]),
      checkNothingRead: run('corpus-check', [nothingRead]),
      checkOneFile: run('corpus-check', ['tests/fixtures/broken-corpus/bad-date.md']),
      checkTwoFolders: run('corpus-check', ['corpus', 'corpus']),
      human: run('ask', [BAIDU_QUESTION]),
      json: run('ask', ['--json', BAIDU_QUESTION]),
      jsonTop1: run('ask', ['--json', '--top', '1', 'partnerships', 'with', 'Microsoft']),
      jsonChat: run('ask', ['--json', '--top', '1', 'wen did microsoft reveal its partnerships w/ chinese companies??']),
      batch: run('ask', ['--json'], `${BAIDU_QUESTION}\nWhat is the capital of France?\n\nUbuntu Kylin\n`),
      batchHuman: run('ask', ['--top', '2'], 'Ubuntu Kylin\r\n???\r\nMicrsoft Biadu\r\n'),
      topZero: run('ask', ['--top', '0', BAIDU_QUESTION]),
      bogus: run('ask', ['--bogus', BAIDU_QUESTION]),
      punctuation: run('ask', ['???']),
      tooLong: run('ask', [`Why ${'really '.repeat(85)}?`]),
      missingCorpus: run('ask', ['--corpus', 'tests/fixtures/no-such-folder', BAIDU_QUESTION]),
      checkBroken: run('corpus-check', ['tests/fixtures/broken-corpus']),
      checkGood: run('corpus-check', ['corpus']),
    });
  });
  afterAll(async () => {
    await Promise.all(Object.values(runs));
    await rm(scratch, { recursive: true, force: true });
  });

  it('with the semantic stage, answers a question about the article itself from its front matter, and says so in JSON', async () => {
    // After the burst of processes above: loading the model beside twenty of them would only measure the machine.
    await Promise.all(Object.values(runs));
    const result = await run('ask', ['--json', '--top', '1', 'Who is the author of this story?'], undefined, {});
    expect(result.code, show(result)).toBe(0);
    expect(result.stderr).toMatch(/^Computing sentence vectors for 10 passages/);
    const answer = JSON.parse(result.stdout) as { about: unknown; results: Array<{ paragraph: number; document: { author: string } }> };
    expect(answer.about).toEqual({ intent: 'author', document: 'microsoft-china-partnerships' });
    expect(answer.results[0]).toMatchObject({ paragraph: 10, document: { author: 'Cate Cadell' } });
  }, 90_000);

  it('answers in text with the quote and its attribution', async () => {
    const result = await runs.human!;
    expect(result.code, show(result)).toBe(0);
    const text = squash(result.stdout);
    expect(text).toContain(`Q: ${BAIDU_QUESTION}`);
    expect(text).toContain(BAIDU_SENTENCE);
    for (const part of [
      'Cate Cadell',
      'Microsoft reveals list of partnerships with Chinese state and private sector',
      'TechNode',
      '2015-09-25',
      'paragraph 5',
    ]) {
      expect(text).toContain(part);
    }
    // The link stays whole on its own line, so terminals can open it.
    const link = result.stdout
      .split('\n')
      .map((line) => line.trim())
      .find((line) => line.startsWith(ARTICLE_URL));
    expect(link).toMatch(/#:~:text=\S+$/);
    expect(decodeURIComponent(link!.split('#:~:text=')[1]!)).toContain('Microsoft has also revealed');
    expect(result.stderr).toBe('');
  });

  it('prints JSON with exactly the documented keys', async () => {
    const result = await runs.json!;
    expect(result.code, show(result)).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const answer = JSON.parse(lines[0]!);
    expectJsonAnswer(answer);
    expect(answer).toMatchObject({ question: BAIDU_QUESTION, answered: true });
    expect(answer.results.length).toBeGreaterThanOrEqual(1);
    expect(answer.results.length).toBeLessThanOrEqual(3);
    const [first] = answer.results;
    expect(first).toMatchObject({
      id: 'microsoft-china-partnerships:5',
      paragraph: 5,
      document: {
        id: 'microsoft-china-partnerships',
        title: 'Microsoft reveals list of partnerships with Chinese state and private sector',
        author: 'Cate Cadell',
        publisher: 'TechNode',
        published: '2015-09-25',
        url: ARTICLE_URL,
      },
    });
    expect(first.quote).toContain(BAIDU_SENTENCE);
    expect(first.quote.slice(...first.highlight)).toMatch(/^Microsoft has also revealed .+ Edge browser in China\.$/);
    expect(first.score).toBeTypeOf('number');
    expect(first.score).toBeGreaterThan(0);
  });

  it('honours --top 1', async () => {
    const result = await runs.jsonTop1!;
    expect(result.code, show(result)).toBe(0);
    const answer = JSON.parse(result.stdout);
    expectJsonAnswer(answer);
    expect(answer.question).toBe('partnerships with Microsoft');
    expect(answer.answered).toBe(true);
    expect(answer.results).toHaveLength(1);
  });

  it('reports the question as read when chat spellings were spelled out, and why one was declined', async () => {
    const chat = JSON.parse((await runs.jsonChat!).stdout);
    expectJsonAnswer(chat);
    expect(chat).toMatchObject({ question: 'wen did microsoft reveal its partnerships w/ chinese companies??', reason: null });
    expect(chat.understood).toMatch(/^when did microsoft reveal its partnerships with chinese companies\?$/);
    const declined = JSON.parse((await runs.batch!).stdout.trim().split('\n')[1]!);
    expect(declined).toMatchObject({ question: 'What is the capital of France?', understood: null, answered: false });
    expect(declined.reason).toMatch(/^(no-match|weak-match|no-terms)$/);
  });

  it('answers one JSON line per stdin line, in order, skipping blank lines', async () => {
    const result = await runs.batch!;
    expect(result.code, show(result)).toBe(0);
    const answers = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(answers.map((answer) => answer.question)).toEqual([BAIDU_QUESTION, 'What is the capital of France?', 'Ubuntu Kylin']);
    for (const answer of answers) expectJsonAnswer(answer);
    expect(answers.map((answer) => answer.answered)).toEqual([true, false, true]);
    expect(answers[0].results[0].paragraph).toBe(5);
    expect(answers[1].results).toEqual([]);
    expect(answers[2].results[0].paragraph).toBe(3);
  });

  it('answers stdin lines in text, reporting an invalid line and exiting 2', async () => {
    const result = await runs.batchHuman!;
    expect(result.code, show(result)).toBe(2);
    const questions = [...result.stdout.matchAll(/^Q: (.*)$/gm)].map((match) => match[1]);
    expect(questions).toEqual(['Ubuntu Kylin', 'Micrsoft Biadu']);
    expect(squash(result.stdout)).toContain('paragraph 3');
    expect(squash(result.stdout)).toContain('paragraph 5');
    expect(result.stdout).not.toContain('\r');
    expect(result.stderr).toMatch(/skipped line: .*no words/);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it.each([
    ['topZero', /^--top must be a whole number from 1 to 25, not "0"\. Help: npm run ask -- --help$/],
    ['bogus', /^Unknown option "--bogus"; an argument that starts with "-" goes after "--", as in: -- "--bogus"\. Help: npm run ask -- --help$/],
    ['punctuation', /no words to look up/],
    ['tooLong', /too long \(\d+ characters; at most 500\)/],
    ['checkTwoFolders', /^Give at most one folder or file\. Help: npm run corpus:check -- --help$/],
  ])('exits 2 on a usage error (%s) with one line and no stack trace', async (name, message) => {
    const result = await runs[name]!;
    expect(result.code, show(result)).toBe(2);
    expect(result.stderr.trimEnd().split('\n'), show(result)).toHaveLength(1);
    expect(result.stderr.trimEnd()).toMatch(message);
    expect(result.stderr.split('"').length % 2, 'balanced double quotes').toBe(1);
    expect(result.stderr).not.toMatch(/Error:|\.ts:\d+/);
    expect(result.stdout).toBe('');
  });

  it('prints the usage with --help, and exits 0', async () => {
    for (const [name, usage] of [
      ['help', /^Usage: npm run ask -- /],
      ['checkHelp', /^Usage: npm run corpus:check /],
    ] as const) {
      const result = await runs[name]!;
      expect(result.code, show(result)).toBe(0);
      expect(result.stdout).toMatch(usage);
      expect(result.stdout.split('\n').length).toBeGreaterThan(3);
    }
  });

  it('shows control characters and escape sequences from the corpus escaped in text, and JSON-escaped in --json', async () => {
    const text = await runs.hostile!;
    expect(text.code, show(text)).toBe(0);
    expect(text.stdout).not.toMatch(ESCAPES);
    expect(text.stdout).toContain('Lighthouse \\x1b[2J keepers \\x1b]0;owned\\x07');
    expect(text.stdout).toContain('\\x1b[2Jwas automated in 1998\\x9b31m');
    expect(text.stderr).not.toMatch(ESCAPES);
    expect(text.stderr).toContain('\\x1b]0;x\\x072021');

    const json = await runs.hostileJson!;
    expect(json.code, show(json)).toBe(0);
    // JSON escapes every C0 control (ESC included) by itself; C1 controls are left to the reader.
    expect(json.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
    expect(JSON.parse(json.stdout).results[0].document.title).toBe('Lighthouse \u001b[2J keepers \u001b]0;owned\u0007');

    const check = await runs.checkHostile!;
    expect(check.code, show(check)).toBe(1);
    expect(check.stdout).not.toMatch(ESCAPES);
    expect(check.stdout).toContain('bad.md:5: "published" must be a real date written YYYY-MM-DD, not "\\x1b]0;x\\x072021"');
  });

  it('exits 1 with a clear message when the corpus folder is missing', async () => {
    const result = await runs.missingCorpus!;
    expect(result.code, show(result)).toBe(1);
    expect(result.stderr).toContain('tests/fixtures/no-such-folder');
    expect(result.stderr).toMatch(/not found/);
    expect(result.stderr).toMatch(/No valid articles/);
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(result.stdout).toBe('');
  });

  it('corpus:check lists file:line: problems and exits 1 on a broken corpus', async () => {
    const result = await runs.checkBroken!;
    expect(result.code, show(result)).toBe(1);
    const problems = result.stdout.split('\n').filter((line) => /^[^\s:]+\.md:\d+: /.test(line));
    expect(problems).toEqual([
      expect.stringMatching(/^bad-date\.md:5: "published" must be a real date/),
      expect.stringMatching(/^missing-author\.md:6: front matter is missing "author"/),
      expect.stringMatching(/^no-front-matter\.md:1: file must start with YAML front matter/),
    ]);
    expect(result.stdout).toMatch(/0 valid article\(s\), 0 passage\(s\), 3 problem\(s\)/);
    expect(result.stderr).toBe('');
  });

  it('corpus:check reports what it does not read, and exits 1 when no article is valid', async () => {
    const result = await runs.checkNothingRead!;
    expect(result.code, show(result)).toBe(1);
    expect(result.stdout).toMatch(/^drafts\/: not read: articles must be directly in the corpus folder, not in a subfolder$/m);
    expect(result.stdout).toMatch(/^notes\.txt: not read: only \.md files are articles/m);
    expect(result.stdout).toMatch(/: 0 valid article\(s\), 0 passage\(s\), 0 problem\(s\), 2 not read\.\nNo valid article/);
  });

  it('corpus:check checks a single file', async () => {
    const result = await runs.checkOneFile!;
    expect(result.code, show(result)).toBe(1);
    expect(result.stdout).toMatch(/^bad-date\.md:5: "published" must be a real date/);
    expect(result.stdout).toContain('bad-date.md: 0 valid article(s), 0 passage(s), 1 problem(s).');
  });

  it('corpus:check exits 0 on the bundled corpus', async () => {
    const result = await runs.checkGood!;
    expect(result.code, show(result)).toBe(0);
    expect(result.stdout.trim()).toBe('corpus: 1 valid article(s), 10 passage(s), 0 problem(s).');
  });
});

describe('npm run feedback', () => {
  const GUILD = '1150000000000000000';
  const runs: Record<string, Promise<Run>> = {};
  let cacheDir = '';
  beforeAll(async () => {
    cacheDir = await mkdtemp(path.join(os.tmpdir(), 'citebot-cli-feedback-'));
    const store = new FeedbackStore({ dir: path.join(cacheDir, 'feedback') });
    const now = Date.now();
    const at = (daysAgo: number) => new Date(now - daysAgo * 24 * 60 * 60 * 1000).toISOString();
    for (const record of [
      { time: at(0), guildId: GUILD, question: 'Who wrote it?', passageId: 'doc:9', outcome: 'answered' as const },
      { time: at(0), guildId: GUILD, question: 'Who wrote it?', passageId: 'doc:9', outcome: 'down' as const },
      { time: at(1), guildId: GUILD, question: 'Clear \u001b[2J the screen\u009b and \u202Eflip', outcome: 'declined' as const },
      { time: at(2), guildId: '1150000000000000009', question: 'Elsewhere?', outcome: 'declined' as const },
      { time: at(20), guildId: GUILD, question: 'Long ago?', outcome: 'declined' as const },
    ]) {
      await store.append(record);
    }
    Object.assign(runs, {
      guild: run('feedback', ['--cache', cacheDir, '--guild', GUILD]),
      everywhere: run('feedback', ['--cache', cacheDir, '--days', '30']),
      empty: run('feedback', ['--cache', path.join(cacheDir, 'none')]),
      badDays: run('feedback', ['--cache', cacheDir, '--days', '0']),
      badGuild: run('feedback', ['--guild', 'my-server']),
    });
  });
  afterAll(async () => {
    await Promise.all(Object.values(runs));
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('summarises one server’s last 7 days, showing control characters escaped', async () => {
    const result = await runs.guild!;
    expect(result.code, show(result)).toBe(0);
    expect(result.stdout).toBe(
      [
        `Feedback from server ${GUILD}`,
        '2 questions in the last 7 days: 1 answered, 1 declined.',
        'Votes on answers: 👍 0 · 👎 1',
        '',
        'Most down-voted or declined:',
        // Equal counts: a wrong answer (👎) before a decline.
        '1. “Who wrote it?” (👎 1)',
        '2. “Clear \\x1b[2J the screen\\x9b and \\u{202e}flip” (declined 1×)',
        '',
      ].join('\n'),
    );
    expect(result.stderr).toBe('');
  });

  it('summarises every server over --days, and says so when there is nothing', async () => {
    const everywhere = await runs.everywhere!;
    expect(everywhere.code, show(everywhere)).toBe(0);
    expect(everywhere.stdout).toContain('Feedback from every server\n4 questions in the last 30 days: 1 answered, 3 declined.');
    const empty = await runs.empty!;
    expect(empty.code, show(empty)).toBe(0);
    expect(empty.stdout).toBe('Feedback from every server\nNo questions or votes in the last 7 days.\n');
  });

  it('refuses bad options with one line and exit status 2', async () => {
    for (const [result, message] of [
      [await runs.badDays!, '--days must be a whole number from 1 to 365, not "0".'],
      [await runs.badGuild!, '--guild must be a server id (17–20 digits), not "my-server".'],
    ] as const) {
      expect(result.code, show(result)).toBe(2);
      expect(result.stderr).toBe(`${message} Help: npm run feedback -- --help\n`);
      expect(result.stdout).toBe('');
    }
  });
});
