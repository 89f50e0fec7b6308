/**
 * Keyset cursors: the position of a row in a list ordered by a time and then the id, written
 * into URLs as `2026-01-31T08:00:00.123456_<id>`.
 * @module
 */
import { type DbTime, normalizeDbTime } from "./time.ts";

/** A row's place in a time-ordered list: its time, then its id as stored. */
export type Cursor = { time: DbTime; id: string };

const ID =
  /^(?:[0-9a-fA-F]{32}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/;

/** The URL spelling of a cursor. */
export function formatCursor(cursor: Cursor): string {
  return `${cursor.time.slice(0, 10)}T${cursor.time.slice(11)}_${cursor.id}`;
}

/** Reads a cursor from a URL, or null when the text is not one. */
export function parseCursor(text: string): Cursor | null {
  const [time, id, extra] = text.split("_");
  if (extra !== undefined || !id || !ID.test(id) || !/^[\d-]{10}T[\d:]{8}\.\d{6}$/.test(time)) {
    return null;
  }
  const stored = normalizeDbTime(time);
  return stored ? { time: stored, id } : null;
}

/** True for an id in one of the stored spellings (hex or dashed, any case). */
export function isIdText(text: string): boolean {
  return ID.test(text);
}
