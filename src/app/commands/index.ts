/** Every command the bot registers and serves. The router and deploy script are given this list. */
import { askCommand } from './ask.js';
import { askMessageCommand } from './askMessage.js';
import { corpusCommand } from './corpus.js';
import { feedbackCommand } from './feedback.js';
import { helpCommand } from './help.js';
import { reloadCommand } from './reload.js';
import { searchCommand } from './search.js';
import { sourcesCommand } from './sources.js';
import type { Command } from './types.js';

export const commands: readonly Command[] = [
  askCommand,
  searchCommand,
  sourcesCommand,
  helpCommand,
  reloadCommand,
  corpusCommand,
  feedbackCommand,
  askMessageCommand,
];
