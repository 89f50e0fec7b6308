/**
 * Numbers as people read them: counts with their digits grouped by thousands (`1,234`), the same
 * on every page, in every message and in every locale of the server.
 * @module
 */

// One formatter for every count: `toLocaleString` builds a new one per call, which showed as 5 %
// of a queue list's time.
const COUNT = new Intl.NumberFormat("en");

/** A count as `1,234`. */
export function formatCount(n: number): string {
  return COUNT.format(n);
}
