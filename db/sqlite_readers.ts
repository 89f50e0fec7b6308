/**
 * Reads off the server's thread: a few Workers (`sqlite_read_worker.ts`), each with a read-only
 * connection to the same SQLite file, answer the top-level reads. `node:sqlite` is synchronous,
 * so a slow read on the server's thread held up every other request; on a reader it holds up
 * only the reads queued behind it, and only while every reader is busy. WAL mode lets these
 * connections read while the server's connection writes, and each read sees every commit made
 * before it started.
 * @module
 */
import type { DatabaseTarget } from "../lib/config.ts";
import {
  PAGE_REQUEST_TIMEOUT_MS,
  type Param,
  queryTimedOut,
  ReadCancelledError,
  replyError,
} from "./connection.ts";
import type { ReadReply, ReadRequest } from "./sqlite_read_worker.ts";

function closedError(): Error {
  return new Error("Cannot read: the database is closed");
}

/** A read waiting for, or being answered by, a reader. */
type Read = {
  sql: string;
  params: Param[];
  /** Answers the caller with the reader's reply or an error of its own; later calls do nothing. */
  settle(outcome: ReadReply | Error): void;
  timer: ReturnType<typeof setTimeout>;
  /** The reader answering it, once it has one. */
  reader?: Reader;
};

/** One Worker and what it was asked, in order. */
type Reader = {
  worker: Worker;
  /** The answers expected, in the order the requests were sent. */
  expected: ((reply: ReadReply) => void)[];
  /** Set while it answers a read. */
  busy: boolean;
  /** Taken out of service (its read ran too long, or the pool closes): stops when idle. */
  retired: boolean;
  /** Set once it was asked to close its connection. */
  closing: boolean;
  /** Resolves when its connection is closed and the Worker ended. */
  stopped: Promise<void>;
  ended(): void;
};

/** Top-level reads of one SQLite file, answered by up to `size` reader Workers. */
export class SqliteReaders {
  readonly #target: Extract<DatabaseTarget, { kind: "sqlite" }>;
  readonly #size: number;
  readonly #timeoutMs: number;
  readonly #readers = new Set<Reader>();
  readonly #waiting: Read[] = [];
  #closed = false;

  /**
   * @param target the file to read
   * @param options.size the most readers (Workers) at once; each starts at its first read
   * @param options.timeoutMs how long a read may take, its wait for a reader included, before it
   *   ends with `QueryTimeoutError` (default: as long as a page's query on SQL Server)
   */
  constructor(
    target: Extract<DatabaseTarget, { kind: "sqlite" }>,
    options: { size: number; timeoutMs?: number },
  ) {
    this.#target = target;
    this.#size = options.size;
    this.#timeoutMs = options.timeoutMs ?? PAGE_REQUEST_TIMEOUT_MS;
  }

  /**
   * Runs a read on a reader and returns its rows.
   * @param options.signal drops the read while it waits for a reader (a read under way ends)
   */
  query<T>(sql: string, params: Param[], options: { signal?: AbortSignal } = {}): Promise<T[]> {
    if (this.#closed) return Promise.reject(closedError());
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(new ReadCancelledError());
    return new Promise((resolve, reject) => {
      const cancel = () => this.#cancelled(read);
      const read: Read = {
        sql,
        params,
        settle: (outcome) => {
          clearTimeout(read.timer);
          signal?.removeEventListener("abort", cancel);
          read.settle = () => {};
          if (outcome instanceof Error) reject(outcome);
          else if (outcome.ok) resolve(outcome.rows as T[]);
          else reject(replyError(outcome));
        },
        timer: setTimeout(() => this.#timedOut(read), this.#timeoutMs),
      };
      signal?.addEventListener("abort", cancel, { once: true });
      this.#waiting.push(read);
      this.#dispatch();
    });
  }

  /**
   * Closes every reader's connection, after the read it is answering (a read that ran out of
   * time included: SQLite cannot stop it, and a connection to the file must not outlive this).
   */
  async close(): Promise<void> {
    this.#closed = true;
    for (const read of this.#waiting.splice(0)) read.settle(closedError());
    for (const reader of this.#readers) this.#retire(reader);
    await Promise.all([...this.#readers].map((reader) => reader.stopped));
  }

  /** Gives waiting reads to idle readers, starting readers up to the size. */
  #dispatch(): void {
    while (this.#waiting.length > 0) {
      const reader = [...this.#readers].find((r) => !r.busy && !r.retired) ?? this.#start();
      if (!reader) return;
      this.#answer(reader, this.#waiting.shift()!);
    }
  }

  async #answer(reader: Reader, read: Read): Promise<void> {
    reader.busy = true;
    read.reader = reader;
    read.settle(await this.#ask(reader, { type: "query", sql: read.sql, params: read.params }));
    reader.busy = false;
    if (reader.retired) this.#retire(reader);
    else this.#dispatch();
  }

  /** A read whose request was closed: dropped if it still waits; a read under way ends. */
  #cancelled(read: Read): void {
    const waiting = this.#waiting.indexOf(read);
    if (waiting < 0) return;
    this.#waiting.splice(waiting, 1);
    read.settle(new ReadCancelledError());
  }

  /** A read out of time fails now; its reader finishes it and stops, and another takes over. */
  #timedOut(read: Read): void {
    const waiting = this.#waiting.indexOf(read);
    if (waiting >= 0) this.#waiting.splice(waiting, 1);
    read.settle(queryTimedOut(this.#timeoutMs));
    if (read.reader) {
      this.#retire(read.reader); // busy: it stops once its read ends
      this.#dispatch();
    }
  }

  #start(): Reader | undefined {
    const serving = [...this.#readers].filter((r) => !r.retired).length;
    if (serving >= this.#size) return undefined;
    const worker = new Worker(new URL("./sqlite_read_worker.ts", import.meta.url), {
      type: "module",
    });
    let ended!: () => void;
    const reader: Reader = {
      worker,
      expected: [],
      busy: false,
      retired: false,
      closing: false,
      stopped: new Promise((resolve) => ended = resolve),
      ended: () => {
        worker.terminate();
        this.#readers.delete(reader);
        ended();
      },
    };
    worker.onmessage = (event: MessageEvent<ReadReply>) => reader.expected.shift()?.(event.data);
    worker.onerror = (event) => {
      // The Worker failed (it could not load): whatever it was asked fails with it.
      event.preventDefault();
      for (const answer of reader.expected.splice(0)) {
        answer({ ok: false, message: `Cannot read: ${event.message}`, problem: null });
      }
      reader.ended();
    };
    worker.postMessage({ type: "open", target: this.#target } satisfies ReadRequest);
    this.#readers.add(reader);
    return reader;
  }

  /** Takes a reader out of service; once idle, its connection closes and its Worker ends. */
  async #retire(reader: Reader): Promise<void> {
    reader.retired = true;
    if (reader.busy || reader.closing) return;
    reader.closing = true;
    await this.#ask(reader, { type: "close" });
    reader.ended();
  }

  #ask(reader: Reader, request: ReadRequest): Promise<ReadReply> {
    return new Promise((resolve) => {
      reader.expected.push(resolve);
      reader.worker.postMessage(request);
    });
  }
}
