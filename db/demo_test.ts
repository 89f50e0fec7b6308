import assert from "node:assert/strict";
import { DEMO_KEY } from "../lib/config.ts";
import { decrypt } from "../lib/fernet.ts";
import type { Db } from "./connection.ts";
import { DEMO_SIZE, seedDemo } from "./demo.ts";
import { tempDatabase } from "./testing.ts";

const NOW = new Date(2026, 10, 25, 9, 30, 0);

/** A scaled size small enough for a test, with more than one transaction's worth of logs. */
const SCALED = {
  logs: 51_000,
  logDays: 90,
  queueElements: 3_000,
  queueDays: 90,
  processes: 29,
  queues: 50,
  triggers: 120,
  schedulers: 20,
  constants: 300,
  credentials: 100,
  skew: 0.8,
  tracebacks: 0.6,
};

async function count(db: Db, sql: string): Promise<number> {
  return Number((await db.query<{ n: number }>(sql))[0].n);
}

/** Every table's rows in insertion order, passwords left out (a Fernet token has a random IV). */
async function contents(db: Db): Promise<string> {
  const tables = {
    Constants: "*",
    Credentials: "name, username, changed_at",
    Schedulers: "*",
    Triggers: "*",
    Scheduled_Triggers: "*",
    Queue_Triggers: "*",
    Single_Triggers: "*",
    Queues: "*",
    Logs: "*",
  };
  const parts = [];
  for (const [table, columns] of Object.entries(tables)) {
    parts.push(await db.query(`SELECT ${columns} FROM ${table} ORDER BY rowid`));
  }
  return JSON.stringify(parts);
}

Deno.test("the demo by default: its counts, every status, ids as Python writes them", async () => {
  const { db, close } = await tempDatabase();
  try {
    await seedDemo(db, DEMO_KEY, { now: NOW });
    for (
      const [table, n] of [
        ["Logs", DEMO_SIZE.logs],
        ["Queues", DEMO_SIZE.queueElements],
        ["Triggers", DEMO_SIZE.triggers],
        ["Schedulers", DEMO_SIZE.schedulers],
        ["Constants", DEMO_SIZE.constants],
        ["Credentials", DEMO_SIZE.credentials],
      ] as const
    ) {
      assert.equal(await count(db, `SELECT COUNT(*) AS n FROM ${table}`), n, table);
    }
    const statuses = await db.query<{ status: string }>(
      "SELECT DISTINCT status FROM Queues WHERE queue_name = 'Intake.Cases' ORDER BY status",
    );
    assert.deepEqual(statuses.map((s) => s.status), [
      "ABANDONED",
      "DONE",
      "FAILED",
      "IN_PROGRESS",
      "NEW",
    ]);
    assert.equal(
      await count(db, "SELECT COUNT(DISTINCT process_name) AS n FROM Logs"),
      DEMO_SIZE.processes,
    );
    assert.equal(
      await count(
        db,
        "SELECT COUNT(*) AS n FROM Logs WHERE id GLOB '*[^0-9a-f]*' OR length(id) != 32",
      ),
      0,
    );
    // The newest 20 elements are the new ones; the logs span the last week.
    const newest = await db.query<{ status: string }>(
      "SELECT status FROM Queues ORDER BY created_date DESC LIMIT 20",
    );
    assert.ok(newest.every((e) => e.status === "NEW"));
    const [span] = await db.query<{ oldest: string; newest: string }>(
      "SELECT MIN(log_time) AS oldest, MAX(log_time) AS newest FROM Logs",
    );
    assert.ok(span.oldest >= "2026-11-18 09:30" && span.oldest < "2026-11-18 10:00", span.oldest);
    assert.ok(span.newest < "2026-11-25 09:30" && span.newest > "2026-11-25 09:00", span.newest);
    const [portal] = await db.query<{ password: string }>(
      "SELECT password FROM Credentials WHERE name = 'Portal login'",
    );
    assert.equal(decrypt(DEMO_KEY, portal.password), "S3cret! æøå");
  } finally {
    await close();
  }
});

Deno.test("the demo scaled: counts, the busiest process and queue first, time order", async () => {
  const { db, close } = await tempDatabase();
  try {
    await seedDemo(db, DEMO_KEY, { now: NOW, size: SCALED });
    assert.equal(await count(db, "SELECT COUNT(*) AS n FROM Logs"), SCALED.logs);
    assert.equal(await count(db, "SELECT COUNT(*) AS n FROM Queues"), SCALED.queueElements);
    assert.equal(await count(db, "SELECT COUNT(*) AS n FROM Triggers"), SCALED.triggers);
    assert.equal(
      await count(
        db,
        `SELECT (SELECT COUNT(*) FROM Scheduled_Triggers) + (SELECT COUNT(*) FROM Queue_Triggers)
          + (SELECT COUNT(*) FROM Single_Triggers) AS n`,
      ),
      SCALED.triggers,
    );
    assert.equal(await count(db, "SELECT COUNT(*) AS n FROM Schedulers"), SCALED.schedulers);
    assert.equal(await count(db, "SELECT COUNT(*) AS n FROM Constants"), SCALED.constants);
    assert.equal(await count(db, "SELECT COUNT(*) AS n FROM Credentials"), SCALED.credentials);
    assert.equal(
      await count(db, "SELECT COUNT(DISTINCT process_name) AS n FROM Logs"),
      SCALED.processes,
    );
    assert.equal(
      await count(db, "SELECT COUNT(DISTINCT queue_name) AS n FROM Queues"),
      SCALED.queues,
    );
    const busiest = async (column: string, table: string) =>
      await db.query<{ name: string; n: number }>(
        `SELECT ${column} AS name, COUNT(*) AS n FROM ${table} GROUP BY ${column} ORDER BY n DESC`,
      );
    const processes = await busiest("process_name", "Logs");
    assert.equal(processes[0].name, "Invoice Processing");
    assert.ok(processes[0].n > 3 * processes.at(-1)!.n);
    const queues = await busiest("queue_name", "Queues");
    assert.equal(queues[0].name, "Intake.Cases");
    assert.ok(queues[0].n > 3 * queues.at(-1)!.n);
    // Newest first in the file, as appended rows are: time falls as rowid grows.
    assert.equal(
      await count(
        db,
        `SELECT COUNT(*) AS n FROM Logs a JOIN Logs b ON b.rowid = a.rowid + 1
          WHERE b.log_time > a.log_time`,
      ),
      0,
    );
    const [errors] = await db.query<{ n: number; traced: number; longest: number }>(
      `SELECT COUNT(*) AS n, SUM(log_message LIKE 'Traceback (most recent call last):%') AS traced,
         MAX(length(log_message)) AS longest FROM Logs WHERE log_level = 'ERROR'`,
    );
    assert.ok(errors.traced > 0.5 * errors.n && errors.traced < 0.7 * errors.n, `${errors.traced}`);
    assert.ok(errors.longest > 4000 && errors.longest <= 8000, `${errors.longest}`);
    const [span] = await db.query<{ oldest: string }>("SELECT MIN(log_time) AS oldest FROM Logs");
    assert.ok(span.oldest.startsWith("2026-08-27"), span.oldest);
  } finally {
    await close();
  }
});

Deno.test("the demo is the same for the same seed and now, and differs with the seed", async () => {
  const seeded = async (seed?: number) => {
    const { db, close } = await tempDatabase();
    try {
      await seedDemo(db, DEMO_KEY, {
        now: NOW,
        seed,
        size: { ...SCALED, logs: 2_000, queueElements: 500 },
      });
      return await contents(db);
    } finally {
      await close();
    }
  };
  const first = await seeded();
  assert.equal(await seeded(), first);
  assert.notEqual(await seeded(7), first);
});
