import assert from "node:assert/strict";
import {
  DatabaseUnavailableError,
  type Health,
  QueryTimeoutError,
  UNKNOWN_INFO,
} from "../db/connection.ts";
import {
  insertElement,
  insertLog,
  insertTimedTrigger,
  PYTHON_DATABASES,
  tempDatabase,
} from "../db/testing.ts";
import { formatDbTime } from "./time.ts";
import { Poller } from "./poller.ts";

Deno.test("the poller reads the aggregates, survives an outage with back-off, and recovers", async () => {
  const t = await tempDatabase({ seed: true });
  try {
    const health = { outage: null as string | null };
    const poller = new Poller(t.db, health, { intervalMs: 1000 });
    assert.equal(await poller.tick(), true);
    assert.deepEqual(poller.snapshot.schedulers, { online: 1, stale: 1, offline: 1 });
    const firstAt = poller.snapshot.at;
    assert.ok(firstAt);

    const query = t.db.query;
    t.db.query = () =>
      Promise.reject(new DatabaseUnavailableError("The database cannot be reached: gone"));
    assert.equal(await poller.tick(), false);
    assert.equal(health.outage, "The database cannot be reached: gone");
    assert.equal(poller.delayMs, 2000);
    await poller.tick();
    assert.equal(poller.delayMs, 4000);
    for (let i = 0; i < 10; i++) await poller.tick();
    assert.equal(poller.delayMs, 60_000, "back-off is capped");
    assert.deepEqual(
      poller.snapshot.schedulers,
      { online: 1, stale: 1, offline: 1 },
      "last values kept",
    );

    t.db.query = query;
    assert.equal(await poller.tick(), true);
    assert.equal(health.outage, null);
    assert.equal(poller.delayMs, 1000);
  } finally {
    await t.close();
  }
});

Deno.test("start() runs a first round at once and stop() ends the loop", async () => {
  const t = await tempDatabase({ seed: true });
  try {
    const poller = new Poller(t.db, { outage: null }, { intervalMs: 50 });
    poller.start();
    for (let i = 0; i < 50 && !poller.snapshot.at; i++) await new Promise((r) => setTimeout(r, 10));
    poller.stop();
    assert.ok(poller.snapshot.at);
  } finally {
    await t.close();
  }
});

Deno.test("on a worker, a round reads what an inline round reads, on its own connection", async () => {
  const t = await tempDatabase({ seed: true });
  const worker = new Poller(t.db, { outage: null }, { intervalMs: 1000, worker: true });
  try {
    const inline = new Poller(t.db, { outage: null }, { intervalMs: 1000 });
    assert.equal(await inline.tick(), true);
    // The main connection can do nothing while the worker reads: the worker has its own.
    const query = t.db.query;
    t.db.query = () => Promise.reject(new Error("the round used the server's connection"));
    let answered = false;
    const round = worker.tick().then((ok) => (answered = true, ok));
    // The server's thread is free while the worker reads.
    await new Promise((resolve) => setTimeout(resolve, 0));
    assert.equal(answered, false);
    assert.equal(await round, true);
    t.db.query = query;
    assert.deepEqual(worker.snapshot.schedulers, inline.snapshot.schedulers);
    assert.deepEqual(worker.snapshot.queues?.rows, inline.snapshot.queues?.rows);
    assert.deepEqual(worker.snapshot.logs?.processes, inline.snapshot.logs?.processes);
    assert.deepEqual(worker.snapshot.dashboard?.chart, inline.snapshot.dashboard?.chart);
    assert.deepEqual(worker.snapshot.triggers, inline.snapshot.triggers);
    assert.deepEqual(worker.snapshot.recentErrors, inline.snapshot.recentErrors);
    assert.ok(worker.snapshot.at instanceof Date);
    assert.ok(typeof worker.snapshot.roundMs === "number");

    // Deleted logs are counted again when the server asks for a recount.
    const [{ n }] = await t.db.query<{ n: number }>("SELECT COUNT(*) AS n FROM Logs");
    await t.db.run("DELETE FROM Logs");
    await worker.invalidate({ part: "logs", process: null });
    assert.equal(await worker.tick(), true);
    const counted = (worker.snapshot.logs?.processes ?? []).reduce((sum, p) => sum + p.total, 0);
    assert.ok(Number(n) > 0);
    assert.equal(counted, 0);
  } finally {
    worker.stop();
    await t.close();
  }
});

Deno.test("on a worker, a file that cannot be opened is an outage, and the round after it recovers", async () => {
  const t = await tempDatabase({ seed: true });
  const health = { outage: null as string | null };
  const moved = `${t.path}.away`;
  const worker = new Poller(t.db, health, { intervalMs: 1000, worker: true });
  try {
    await Deno.rename(t.path, moved);
    assert.equal(await worker.tick(), false);
    assert.match(health.outage ?? "", /Cannot open the SQLite database/);
    await Deno.rename(moved, t.path);
    assert.equal(await worker.tick(), true);
    assert.equal(health.outage, null);
  } finally {
    worker.stop();
    await t.close();
  }
});

Deno.test("a database file replaced under the app is noticed and opened again", async () => {
  // With reader Workers, as the server runs: their connections to the old file close first.
  const t = await tempDatabase({ seed: true, readers: 2 });
  const health: Health = { outage: null };
  const poller = new Poller(t.db, health, { intervalMs: 1000, worker: true });
  try {
    assert.equal(await poller.tick(), true);
    const triggers = async () =>
      Number((await t.db.query<{ n: number }>("SELECT COUNT(*) AS n FROM Triggers"))[0].n);
    assert.ok(await triggers() > 3);
    // A backup restored by renaming it over the file: another file at the same path.
    const restored = `${t.path}.restored`;
    await Deno.copyFile(PYTHON_DATABASES.develop, restored);
    await Deno.rename(restored, t.path);
    assert.equal(await poller.tick(), true);
    assert.match(health.notice ?? "", /The database file was replaced at \d\d:\d\d/);
    assert.equal(await triggers(), 3, "the server reads the new file");
    assert.deepEqual(
      poller.snapshot.queues?.rows.map((r) => r.total),
      [25],
      "so does the poller's worker",
    );
  } finally {
    poller.stop();
    await t.close();
  }
});

Deno.test("a slow query is not an outage: no banner, no back-off", async () => {
  const t = await tempDatabase({ seed: true });
  try {
    const health = { outage: null as string | null };
    const poller = new Poller(t.db, health, { intervalMs: 1000 });
    t.db.query = () => Promise.reject(new QueryTimeoutError("Cannot finish the query: slow"));
    assert.equal(await poller.tick(), false);
    assert.equal(health.outage, null);
    assert.equal(poller.delayMs, 1000);
  } finally {
    await t.close();
  }
});

Deno.test("when an outage clears, the schema is detected again before the round", async () => {
  const t = await tempDatabase({ seed: true });
  try {
    // As after a start while the server was down: nothing known yet.
    t.db.info = { ...UNKNOWN_INFO };
    const health = { outage: "The database cannot be reached: down at start" };
    const poller = new Poller(t.db, health, { intervalMs: 1000 });
    assert.equal(await poller.tick(), true);
    assert.equal(health.outage, null);
    assert.equal(t.db.info.revision, "9698388a0709");
    assert.equal(t.db.info.gitBranch, true);
  } finally {
    await t.close();
  }
});

Deno.test("a round counts triggers by status and the last hour's errors per process, and tells its listeners", async () => {
  const t = await tempDatabase();
  try {
    const health: Health = { outage: null };
    const poller = new Poller(t.db, health, { intervalMs: 1000 });
    const heard: (string | null)[] = [];
    poller.onRound((snapshot, h) => heard.push(h.outage ?? String(snapshot.at !== undefined)));
    const now = Date.now();
    const at = (minutesAgo: number) => formatDbTime(new Date(now - minutesAgo * 60_000));
    for (
      const [process, minutesAgo, level] of [
        ["A", 5, "ERROR"],
        ["A", 30, "ERROR"],
        ["A", 90, "ERROR"],
        ["B", 1, "INFO"],
        ["B", 2, "ERROR"],
      ] as const
    ) {
      await insertLog(t.db, {
        log_time: at(minutesAgo),
        log_level: level,
        process_name: process,
        log_message: "m",
      });
    }
    await insertTimedTrigger(t.db, {
      name: "one",
      type: "SINGLE",
      status: "FAILED",
      nextRun: at(10),
    });
    await insertTimedTrigger(t.db, {
      name: "two",
      type: "SCHEDULED",
      status: "IDLE",
      nextRun: at(-10),
    });
    await insertTimedTrigger(t.db, {
      name: "three",
      type: "SCHEDULED",
      status: "FAILED",
      nextRun: at(-10),
    });
    assert.equal(await poller.tick(), true);
    assert.deepEqual(poller.snapshot.triggers, { FAILED: 2, IDLE: 1 });
    assert.deepEqual(
      poller.snapshot.recentErrors?.map((g) => [g.name, g.n, g.last]).sort(),
      [["A", 2, at(5)], ["B", 1, at(2)]],
    );
    const query = t.db.query;
    t.db.query = () =>
      Promise.reject(new DatabaseUnavailableError("The database cannot be reached: gone"));
    assert.equal(await poller.tick(), false);
    t.db.query = query;
    assert.deepEqual(heard, ["true", "The database cannot be reached: gone"]);
  } finally {
    await t.close();
  }
});

Deno.test("on a worker, the rounds after the first read the queues' history, three a round, keep a page's, and a change has it read again", async () => {
  const t = await tempDatabase({ seed: true });
  const worker = new Poller(t.db, { outage: null }, { intervalMs: 1000, worker: true });
  try {
    const history = () => worker.snapshot.history ?? {};
    for (const queue_name of ["More.One", "More.Two"]) {
      await insertElement(t.db, {
        queue_name,
        status: "NEW",
        created_date: formatDbTime(new Date()),
      });
    }
    assert.equal(await worker.tick(), true);
    const queues = (worker.snapshot.queues?.rows ?? []).map((r) => r.name);
    assert.ok(queues.length > 3, queues.join());
    assert.deepEqual(Object.keys(history()), [], "not in the first round");
    // A page's read of a queue the worker has not read yet is kept through its rounds.
    const paged = await worker.pastDays("More.Two", new Date());
    assert.equal(await worker.tick(), true);
    assert.equal(history()["More.Two"], paged);
    const first = Object.keys(history()).filter((q) => q !== "More.Two");
    assert.equal(first.length, 3);
    assert.ok(first.every((q) => history()[q].days.length === 29));
    // The next round reads the queues not read yet, before any read again.
    assert.equal(await worker.tick(), true);
    const second = Object.keys(history()).filter((q) => !first.includes(q));
    assert.equal(second.length, queues.length - 3);
    const readAt = history()[first[0]].readAt;

    // A change: the history of that queue is gone at once, here and on the worker.
    await worker.invalidate({ part: "queues", queue: first[0] });
    assert.equal(history()[first[0]], undefined);
    assert.equal(await worker.tick(), true);
    assert.ok(history()[first[0]].readAt > readAt, "read again by the next round");

    // A change while a round is under way: what the worker read before it is not taken.
    const round = worker.tick();
    await worker.invalidate({ part: "queues", queue: first[1] });
    assert.equal(await round, true);
    assert.equal(history()[first[1]], undefined);
    assert.equal(await worker.tick(), true);
    assert.ok(history()[first[1]]);
  } finally {
    worker.stop();
    await t.close();
  }
});
