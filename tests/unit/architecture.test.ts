import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/discordSpec.js';
import { importProblems, readModules } from '../support/importGraph.js';

describe('the import graph of src/', () => {
  it('has no cycle, and no import upward or sideways across the layers', () => {
    expect(importProblems(readModules(path.join(repoRoot, 'src')))).toEqual([]);
  });

  it('would report a cycle, an upward import and a sideways one', () => {
    const modules = new Map([
      ['app/a.ts', "import { b } from './b.js';"],
      ['app/b.ts', "import type { A } from './a.js';"],
      ['engine/Engine.ts', "import { router } from '../app/router.js';"],
      ['app/router.ts', ''],
      ['transports/http/main.ts', "const { createBot } = await import('../gateway/createBot.js');"],
      ['transports/gateway/createBot.ts', "import { router } from '../../app/router.js';"],
      ['elsewhere/x.ts', "import { router } from '../app/router.js';"],
    ]);
    expect(importProblems(modules)).toEqual([
      'engine/Engine.ts imports app/router.ts: app is not below engine',
      'transports/http/main.ts imports transports/gateway/createBot.ts: transports/gateway is not below transports/http',
      'elsewhere/x.ts is in a folder with no layer (add it to LAYERS)',
      'import cycle: app/a.ts -> app/b.ts -> app/a.ts',
    ]);
  });
});
