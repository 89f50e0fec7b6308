/** The forecast's reads on every engine (the contract suite). */
import assert from "node:assert/strict";
import { formatDbTime } from "../lib/time.ts";
import { time } from "./connection.ts";
import { readForecast } from "./forecast.ts";
import { detect } from "./schema.ts";
import { contractTest, triggerInput } from "./testing.ts";
import { createTrigger } from "./triggers.ts";

contractTest(
  "forecast: every trigger with its schedule, every machine with its state",
  async (db) => {
    const now = new Date();
    const ago = (seconds: number) => time(formatDbTime(new Date(now.getTime() - seconds * 1000)));
    for (const [machine, seconds] of [["vm-b", 3], ["vm-a", 120], ["vm-c", 3 * 86_400]] as const) {
      await db.run("INSERT INTO Schedulers (machine_name, last_update) VALUES (?, ?)", [
        machine,
        ago(seconds),
      ]);
    }
    // Both blocking, priority 2, allowed on vm-a only; the queue trigger has no next run.
    const shared = { priority: 2, scheduler_whitelist: '["vm-a"]' };
    await createTrigger(db, {
      input: triggerInput("SCHEDULED", { ...shared, trigger_name: "B scheduled" }),
      user: "t",
    });
    await createTrigger(db, {
      input: triggerInput("QUEUE", { ...shared, trigger_name: "A queue" }),
      user: "t",
    });

    const read = await readForecast(db, now);
    assert.deepEqual(read.machines, [
      { name: "vm-a", state: "stale" },
      { name: "vm-b", state: "online" },
      { name: "vm-c", state: "offline" },
    ]);
    assert.deepEqual(
      read.triggers.map((t) => [t.trigger_name, t.type, t.next_run, t.cron_expr, t.queue_name]),
      [
        ["A queue", "QUEUE", null, null, "Invoices.Intake"],
        ["B scheduled", "SCHEDULED", "2030-01-07 07:00:00.000000", "0 7 * * MON-FRI", null],
      ],
    );
    assert.equal(read.triggers[0].min_batch_size, 5);
    assert.equal(read.triggers[1].is_blocking, true);
    assert.deepEqual(read.jobs, []);
  },
);

contractTest("forecast: with a Jobs table, the done jobs of the last 14 days", async (db) => {
  const now = new Date();
  const ago = (hours: number) => time(formatDbTime(new Date(now.getTime() - hours * 3_600_000)));
  // The Jobs table of the feature/job_log line, in DDL both engines read.
  await db.run(`CREATE TABLE Jobs (id VARCHAR(36) NOT NULL PRIMARY KEY,
    process_name VARCHAR(100) NOT NULL, scheduler_name VARCHAR(100) NOT NULL,
    status VARCHAR(7) NOT NULL, start_time DATETIME NOT NULL, end_time DATETIME NULL)`);
  try {
    await detect(db);
    const jobs: [string, string, number, number | null][] = [
      ["Invoices", "DONE", 2, 1],
      ["Invoices", "FAILED", 3, 2],
      ["Invoices", "RUNNING", 1, null],
      ["Letters", "DONE", 15 * 24, 15 * 24 - 1],
    ];
    for (const [i, [process, status, start, end]] of jobs.entries()) {
      await db.run(
        "INSERT INTO Jobs (id, process_name, scheduler_name, status, start_time, end_time) " +
          "VALUES (?, ?, 'vm-1', ?, ?, ?)",
        [String(i), process, status, ago(start), end === null ? null : ago(end)],
      );
    }
    const { jobs: read } = await readForecast(db, now);
    assert.deepEqual(read.map((j) => j.process_name), ["Invoices"]);
    assert.equal(read[0].start_time, formatDbTime(new Date(now.getTime() - 2 * 3_600_000)));
  } finally {
    await db.run("DROP TABLE Jobs");
    await detect(db);
  }
});
