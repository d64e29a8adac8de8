/**
 * A map that keeps the `capacity` entries used most recently: reading an entry makes it the most
 * recent, and adding one to a full map forgets the least recent. What a process remembers of
 * repeated work (questions' vectors, answers) stays bounded however long it runs.
 */
export class RecentlyUsed<Key, Value> {
  /** Least recent first: a Map iterates in insertion order. */
  readonly #entries = new Map<Key, Value>();

  constructor(readonly capacity: number) {}

  get(key: Key): Value | undefined {
    const value = this.#entries.get(key);
    if (value !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, value);
    }
    return value;
  }

  has(key: Key): boolean {
    return this.#entries.has(key);
  }

  set(key: Key, value: Value): void {
    this.#entries.delete(key);
    if (this.#entries.size >= this.capacity) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(key, value);
  }
}
