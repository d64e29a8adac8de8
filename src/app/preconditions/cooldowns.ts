/** Per-member cooldown: a member may ask once per interval. */

export class Cooldowns {
  readonly #lastAllowed = new Map<string, number>();

  /** `intervalMs` 0 turns the cooldown off. */
  constructor(private readonly intervalMs: number) {}

  /**
   * Records an attempt by `userId` now. Returns undefined when allowed, else the epoch
   * milliseconds at which the member may ask again.
   */
  take(userId: string, now = Date.now()): number | undefined {
    if (this.intervalMs <= 0) return undefined;
    const last = this.#lastAllowed.get(userId);
    if (last !== undefined && now - last < this.intervalMs) return last + this.intervalMs;
    this.#lastAllowed.set(userId, now);
    // Forget members whose cooldown ended, so the map stays as small as the active crowd.
    if (this.#lastAllowed.size > 10_000) for (const [id, at] of this.#lastAllowed) if (now - at >= this.intervalMs) this.#lastAllowed.delete(id);
    return undefined;
  }
}
