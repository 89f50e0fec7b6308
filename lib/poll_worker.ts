/**
 * The poller's rounds on a Deno Worker with an SQLite connection of its own, so that the aggregate
 * reads (full scans of `Logs` and `Queues` at millions of rows) never hold up a request:
 * `node:sqlite` is synchronous, and on the server's thread each of those reads stalled every
 * request.
 *
 * Protocol: the main thread sends `{ type: "open", target }` once, then `{ type: "round",
 * recount, forget }` per round (`forget`: the queues whose history a change made wrong); each
 * round is answered with {@linkcode RoundReply}. The worker keeps the incremental state (the log
 * counts) between rounds. It opens the file read-only: it never writes.
 * @module
 */
/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />
import {
  DatabaseUnavailableError,
  type Db,
  type ErrorReply,
  errorReply,
} from "../db/connection.ts";
import { detect } from "../db/schema.ts";
import { openSqlite } from "../db/sqlite.ts";
import type { DatabaseTarget } from "./config.ts";
import { readRound, type Snapshot } from "./poller.ts";

/** A message to the worker: every one but `open` is answered. */
export type RoundRequest =
  | { type: "open"; target: Extract<DatabaseTarget, { kind: "sqlite" }> }
  | { type: "round"; recount: boolean; forget: string[] }
  | { type: "close" };

/**
 * The worker's answer to a round: the new snapshot, or why the database did not answer; to a
 * close, `{ ok: true }` once its connection is closed.
 */
export type RoundReply = { ok: true; snapshot?: Snapshot } | ErrorReply;

let target: Extract<DatabaseTarget, { kind: "sqlite" }> | null = null;
let db: Db | null = null;
const snapshot: Snapshot = {};

async function round(recount: boolean, forget: string[]): Promise<RoundReply> {
  try {
    if (!db) {
      db = openSqlite(target!, { readOnly: true });
      await detect(db);
    }
    if (recount && snapshot.logs) snapshot.logs.stale = true;
    await readRound(db, { snapshot, forget });
    return { ok: true, snapshot };
  } catch (error) {
    if (error instanceof DatabaseUnavailableError && error.problem === "unreachable") {
      // Open again next round: the file may have been replaced or come back.
      await db?.close();
      db = null;
    }
    return errorReply(error);
  }
}

self.onmessage = async (event: MessageEvent<RoundRequest>) => {
  const request = event.data;
  if (request.type === "open") {
    target = request.target;
    return;
  }
  if (request.type === "close") {
    await db?.close();
    db = null;
    self.postMessage({ ok: true } satisfies RoundReply);
    return;
  }
  self.postMessage(await round(request.recount, request.forget));
};
