/**
 * Connections whose socket dropped while in a call, kept for a while so the same peer
 * can be taken back by a new socket (`resume`). The peer's media never stopped: only the
 * signaling socket was lost. When the grace runs out, the peer leaves as it would have.
 */
export class ResumableConnections<C> {
  readonly #held = new Map<string, { connection: C; timer: NodeJS.Timeout }>();

  constructor(readonly graceMs: number) {}

  get size(): number {
    return this.#held.size;
  }

  hold(resumeToken: string, connection: C, expire: () => void): void {
    this.drop(resumeToken);
    const timer = setTimeout(() => {
      this.#held.delete(resumeToken);
      expire();
    }, this.graceMs);
    timer.unref();
    this.#held.set(resumeToken, { connection, timer });
  }

  /** The held connection for this token, no longer held (its grace timer stops). */
  take(resumeToken: string): C | undefined {
    const held = this.#held.get(resumeToken);
    if (!held) return undefined;
    this.drop(resumeToken);
    return held.connection;
  }

  drop(resumeToken: string): void {
    const held = this.#held.get(resumeToken);
    if (held) clearTimeout(held.timer);
    this.#held.delete(resumeToken);
  }

  /** Shutting down: every held connection expires now. */
  expireAll(): void {
    for (const [token, held] of [...this.#held]) {
      clearTimeout(held.timer);
      this.#held.delete(token);
    }
  }
}
