/** Whether the semantic stage runs, from `SEMANTIC` (on unless it says off, false, no or 0), for entry points without the bot's validated configuration. */
export function semanticEnabled(env: NodeJS.ProcessEnv): boolean {
  return !/^\s*(off|false|no|0)\s*$/i.test(env.SEMANTIC ?? '');
}
