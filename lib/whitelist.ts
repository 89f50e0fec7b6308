/**
 * `Triggers.scheduler_whitelist`: the machines that may run a trigger, stored as a JSON array
 * spelled exactly as Python's `json.dumps` writes it (`'["a", "b"]'`, `'[]'` when empty). The
 * 2.0.x scheduler stops for good on anything else, so writing goes through
 * {@linkcode formatWhitelist} only.
 * @module
 */

/** The column's size: the stored text may be at most this long. */
export const WHITELIST_MAX = 250;

/** The longest machine name (`Schedulers.machine_name`). */
export const MACHINE_NAME_MAX = 100;

/** A stored whitelist as read: the names, or the unreadable text. */
export type Whitelist = { names: string[]; invalid?: string };

/**
 * Reads a stored whitelist. `'[]'`, the text `'null'` (2.0.x writes it for an empty whitelist)
 * and NULL (the newer line) all mean "no whitelist": every machine may run the trigger.
 */
export function parseWhitelist(stored: string | null): Whitelist {
  if (stored === null) return { names: [] };
  try {
    const value: unknown = JSON.parse(stored);
    if (value === null) return { names: [] };
    if (Array.isArray(value) && value.every((v) => typeof v === "string")) return { names: value };
  } catch {
    // Not JSON: reported below.
  }
  return { names: [], invalid: stored };
}

/** A string as Python's `json.dumps` spells it (ASCII only: everything else as `\uXXXX`). */
function pythonJsonString(text: string): string {
  return JSON.stringify(text).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** Writes a whitelist exactly as Python's `json.dumps(names)`: `'["a", "b"]'`, `'[]'`. */
export function formatWhitelist(names: readonly string[]): string {
  return `[${names.map(pythonJsonString).join(", ")}]`;
}

/**
 * Cleans the machine names of a form: each value may hold several names separated by commas or
 * white space (machine names have neither); empty ones are dropped, repeats kept once, in order.
 */
export function whitelistNames(values: readonly string[]): string[] {
  const names = values.flatMap((v) => v.split(/[\s,]+/)).filter((n) => n !== "");
  return [...new Set(names)];
}
