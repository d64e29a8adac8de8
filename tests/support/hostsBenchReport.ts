/** A several-hosts bench report (section 9) as the bench makes one, for the tests of its table and of the page. */
import type { HostsBenchReport } from '../bench/hosts.js';

export const hostsBenchReport: HostsBenchReport = {
  changes: 10,
  adds: 5,
  cost: { files: { writeMs: 230, retireMs: 225 }, database: { writeMs: 366, retireMs: 371 } },
  changeToAnswer: { medianMs: 1380, maxMs: 1630 },
  commitToAnswer: { medianMs: 910, maxMs: 1220 },
  postgres: '18.4',
  load: { start: 1.0, end: 1.7, cpus: 2 },
};
