/**
 * Turns on the server's thread. `node:sqlite` and the templates run synchronously, and Deno hands
 * the JavaScript everything that became ready at once: eight requests that arrived together ran
 * back to back, and a reader Worker's answer to a ninth (a search whose rows were ready) waited
 * behind all eight. A view that reads and renders first takes a turn: one turn starts per pass of
 * the event loop, first come first served, so between two views the loop takes in what arrived
 * meanwhile, and what needs no turn (a health check, a reader's answer being rendered) goes first.
 * @module
 */
import { setImmediate } from "node:timers";

/** The callers waiting for a turn, in order. */
const waiting: (() => void)[] = [];

/** Starts the first waiting caller's turn; the next one starts in the loop's next pass. */
function startNext(): void {
  const start = waiting.shift();
  if (waiting.length > 0) setImmediate(startNext);
  start?.();
}

/**
 * Resolves when it is the caller's turn. The turn lasts until the caller next waits for
 * something outside the thread (a reader's answer); what runs after that takes no new turn.
 */
export function turn(): Promise<void> {
  return new Promise((resolve) => {
    waiting.push(resolve);
    if (waiting.length === 1) setImmediate(startNext);
  });
}
