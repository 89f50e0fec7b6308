/**
 * One reader of {@linkcode SqliteReaders}: a Deno Worker with a read-only SQLite connection of
 * its own, so that a slow read (a message search over millions of logs) runs beside the server's
 * thread instead of on it: `node:sqlite` is synchronous and blocks the thread it runs on.
 *
 * Protocol: the main thread sends `{ type: "open", target }` once, then requests, each answered
 * with {@linkcode ReadReply} in the order sent. The connection opens at the first read; after an
 * "unreachable" error it opens again at the next one (the file may be back).
 * @module
 */
/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />
import type { DatabaseTarget } from "../lib/config.ts";
import {
  DatabaseUnavailableError,
  type Db,
  type ErrorReply,
  errorReply,
  type Param,
} from "./connection.ts";
import { openSqlite } from "./sqlite.ts";

/** A message to a reader: every one but `open` is answered. */
export type ReadRequest =
  | { type: "open"; target: Extract<DatabaseTarget, { kind: "sqlite" }> }
  | { type: "query"; sql: string; params: Param[] }
  | { type: "close" };

/** A reader's answer: the rows, or why not; to a close, no rows once the connection is closed. */
export type ReadReply = { ok: true; rows: unknown[] } | ErrorReply;

let target: Extract<DatabaseTarget, { kind: "sqlite" }> | null = null;
let db: Db | null = null;

async function answer(request: ReadRequest): Promise<ReadReply | null> {
  if (request.type === "open") {
    target = request.target;
    return null;
  }
  if (request.type === "close") {
    await db?.close();
    db = null;
    return { ok: true, rows: [] };
  }
  try {
    db ??= openSqlite(target!, { readOnly: true });
    return { ok: true, rows: await db.query(request.sql, request.params) };
  } catch (error) {
    if (error instanceof DatabaseUnavailableError && error.problem === "unreachable") {
      await db?.close();
      db = null;
    }
    return errorReply(error);
  }
}

// One request at a time, in order: a read waiting for a lock is not overtaken by a close.
let turn: Promise<void> = Promise.resolve();
self.onmessage = (event: MessageEvent<ReadRequest>) => {
  turn = turn.then(async () => {
    const reply = await answer(event.data);
    if (reply) self.postMessage(reply);
  });
};
