/**
 * The audit trail: every change is written to `Logs` under the process name
 * `OpenOrchestrator Web`, so it shows up in the Logs page with no new table.
 * @module
 */
import { nowDbTime } from "../lib/time.ts";
import type { DbInfo, Executor } from "./connection.ts";
import { time } from "./connection.ts";
import { newId } from "./ids.ts";

/** The process name audit entries are written under. */
export const AUDIT_PROCESS = "OpenOrchestrator Web";

/** Cuts a log message the way OpenOrchestrator does: the first 4000 + the last 4000 characters. */
export function clipLogMessage(message: string): string {
  return message.length > 8000 ? message.slice(0, 4000) + message.slice(-4000) : message;
}

/** Quotes a value for an audit message. */
export function quoted(value: string | null): string {
  return value === null ? "nothing" : JSON.stringify(value);
}

/**
 * Writes one audit entry, in the caller's transaction so the change and its record land together.
 * @param entry.what e.g. `changed constant "X": "a" -> "b"` (ASCII: VARCHAR in any code page; never a
 *   secret)
 * @returns the entry's id, for {@linkcode amendAudit}
 */
export async function audit(
  tx: Executor,
  entry: { info: DbInfo; user: string; what: string },
): Promise<string> {
  const id = newId(entry.info);
  await tx.run(
    "INSERT INTO Logs (id, log_time, log_level, process_name, log_message) VALUES (?, ?, ?, ?, ?)",
    [id, time(nowDbTime()), "INFO", AUDIT_PROCESS, clipLogMessage(`${entry.user} ${entry.what}`)],
  );
  return id;
}

/**
 * Rewrites an entry of a long change as it goes (in the transaction of each step), so the trail
 * says exactly how far it got, whatever stops it.
 */
export async function amendAudit(
  tx: Executor,
  entry: { id: string; user: string; what: string },
): Promise<void> {
  await tx.run("UPDATE Logs SET log_message = ? WHERE id = ? AND process_name = ?", [
    clipLogMessage(`${entry.user} ${entry.what}`),
    entry.id,
    AUDIT_PROCESS,
  ]);
}
