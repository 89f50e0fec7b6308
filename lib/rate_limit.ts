/**
 * A sliding-window rate limit per key (e.g. at most 5 password reveals a minute per user).
 * @module
 */

/** Counts tries per key in a sliding window. */
export class RateLimiter {
  #tries = new Map<string, number[]>();
  #refused = new Map<string, { since: number; count: number }>();

  /**
   * @param limit tries allowed in one window
   * @param windowMs the window's length in milliseconds
   */
  constructor(readonly limit: number, readonly windowMs: number) {}

  /** Records a try for `key`; returns the seconds to wait when over the limit, else 0. */
  take(key: string, now: number = Date.now()): number {
    const recent = (this.#tries.get(key) ?? []).filter((t) => now - t < this.windowMs);
    if (recent.length >= this.limit) {
      this.#tries.set(key, recent);
      return Math.ceil((recent[0] + this.windowMs - now) / 1000);
    }
    recent.push(now);
    this.#tries.set(key, recent);
    return 0;
  }

  /**
   * Counts a refused try for `key` and says when to report: the first refusal at once, then at
   * most once a window, with every refusal counted since the last report.
   * @returns the refusals to report now, or 0 when this one is only counted
   */
  refused(key: string, now: number = Date.now()): number {
    const last = this.#refused.get(key);
    if (last && now - last.since < this.windowMs) {
      last.count++;
      return 0;
    }
    this.#refused.set(key, { since: now, count: 0 });
    return (last?.count ?? 0) + 1;
  }
}
