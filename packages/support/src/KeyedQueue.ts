/**
 * Runs work for one key strictly one after another (work for different keys runs freely),
 * so a check-then-write on one session can't interleave with another on the same session.
 */
export class KeyedQueue {
  #tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const result = previous.then(work);
    const tail = result.catch(() => undefined);
    this.#tails.set(key, tail);
    // Forget idle keys so the map doesn't grow with every session ever seen.
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }

  /** Resolves when everything queued so far has finished. */
  async idle(): Promise<void> {
    await Promise.all([...this.#tails.values()]);
  }
}
