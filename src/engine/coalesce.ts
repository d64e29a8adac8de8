/**
 * `run`, one at a time: calls made while it runs share one follow-up run, so a burst of calls
 * costs at most two runs, and every caller gets the outcome of a run that started after its call.
 */
export function coalesce<T>(run: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | undefined;
  let queued: Promise<T> | undefined;
  const call = (): Promise<T> => {
    if (!running) {
      running = run().finally(() => (running = undefined));
      return running;
    }
    queued ??= running
      .catch(() => undefined)
      .then(() => {
        queued = undefined;
        return call();
      });
    return queued;
  };
  return call;
}
