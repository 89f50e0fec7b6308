/**
 * Numbers as people read them: counts with their digits grouped by thousands (`1,234`), the same
 * on every page, in every message and in every locale of the server.
 * @module
 */

// For what is not a whole number. `toLocaleString` builds a formatter per call (5 % of a queue
// list's time); even a shared one takes 0.55 µs a call against 0.16 µs for the digits grouped
// here, and the queues page shows hundreds of counts.
const COUNT = new Intl.NumberFormat("en");

/** A count as `1,234`. */
export function formatCount(n: number): string {
  if (!Number.isSafeInteger(n)) return COUNT.format(n);
  const digits = String(Math.abs(n));
  const head = digits.length % 3 || 3;
  let grouped = digits.slice(0, head);
  for (let i = head; i < digits.length; i += 3) grouped += `,${digits.slice(i, i + 3)}`;
  return n < 0 ? `-${grouped}` : grouped;
}
