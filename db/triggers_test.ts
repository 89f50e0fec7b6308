/**
 * Triggers and schedulers on every engine (the contract suite), and on the databases the Python
 * OpenOrchestrator wrote.
 * @module
 */
import assert from "node:assert/strict";
import { PAGE_SIZES } from "../lib/list.ts";
import { formatDbTime, nowDbTime } from "../lib/time.ts";
import { decide, TRIGGER_ACTIONS, TRIGGER_STATUSES, TRIGGER_TYPES } from "../lib/trigger_status.ts";
import type { Db } from "./connection.ts";
import { time } from "./connection.ts";
import { newId, storedId } from "./ids.ts";
import { listSchedulers } from "./schedulers.ts";
import { contractTest, keepingReads, tempDatabase, triggerInput } from "./testing.ts";
import {
  actOnTrigger,
  createTrigger,
  deleteTrigger,
  getTrigger,
  listTriggers,
  triggerChoices,
  updateTrigger,
} from "./triggers.ts";

const params = (
  over: Partial<{ q: string; sort: string; dir: "asc" | "desc"; page: number; size: number }> = {},
) => ({ q: "", sort: "trigger_name", dir: "asc" as const, page: 1, size: PAGE_SIZES[0], ...over });

const NO_FILTER = { type: "" as const, status: [] };

async function rawTrigger(db: Db, id: string) {
  const [row] = await db.query<Record<string, unknown>>("SELECT * FROM Triggers WHERE id = ?", [
    id,
  ]);
  return row;
}

async function count(db: Db, sql: string, args: string[] = []): Promise<number> {
  const [row] = await db.query<{ n: number }>(sql, args);
  return Number(row.n);
}

/** A stored time to the second (SQL Server's DATETIME rounds milliseconds to 1/300 s). */
const second = (time: string) => time.slice(0, 19);

/** An id no trigger has, in the engine's spelling. */
const missing = (db: Db) => storedId(db.info, "0".repeat(32))!;

const audits = (db: Db) =>
  count(db, "SELECT COUNT(*) AS n FROM Logs WHERE process_name = 'OpenOrchestrator Web'");

/** Ids as this engine spells them: 32 lowercase hex digits in SQLite, a GUID on SQL Server. */
function assertIdFormat(db: Db, id: string) {
  if (db.dialect.name === "sqlite") assert.match(id, /^[0-9a-f]{12}4[0-9a-f]{19}$/);
  else assert.match(id, /^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/);
}

contractTest(
  "triggers: a created trigger is stored with the exact Python spellings",
  async (db) => {
    const whitelist = '["rpa-vm-01", "rpa-vm-02"]';
    const scheduled = await createTrigger(db, {
      input: triggerInput("SCHEDULED", {
        scheduler_whitelist: whitelist,
        is_git_repo: true,
        git_branch: "develop",
        priority: 7,
      }),
      user: "t",
    });
    assertIdFormat(db, scheduled);
    const row = await rawTrigger(db, scheduled);
    assert.equal(row.type, "SCHEDULED");
    assert.equal(row.process_status, "IDLE");
    assert.equal(row.scheduler_whitelist, whitelist);
    assert.equal(row.process_args, "");
    assert.equal(row.last_run, null);
    assert.equal(row.git_branch, "develop");
    assert.equal(Number(row.priority), 7);
    assert.equal(Boolean(row.is_git_repo), true);
    if (db.dialect.name === "sqlite") assert.equal(row.is_blocking, 1, "SQLite booleans are 0/1");
    const [sub] = await db.query<{ cron_expr: string; next_run: string }>(
      "SELECT cron_expr, next_run FROM Scheduled_Triggers WHERE id = ?",
      [scheduled],
    );
    assert.deepEqual({ ...sub }, {
      cron_expr: "0 7 * * MON-FRI",
      next_run: "2030-01-07 07:00:00.000000",
    });

    const single = await createTrigger(db, { input: triggerInput("SINGLE"), user: "t" });
    const singleRow = await rawTrigger(db, single);
    assert.equal(singleRow.scheduler_whitelist, "[]");
    assert.equal(singleRow.git_branch, null, "NULL unless given");
    assert.equal(
      await count(db, "SELECT COUNT(*) AS n FROM Single_Triggers WHERE id = ?", [single]),
      1,
    );
    const queue = await createTrigger(db, { input: triggerInput("QUEUE"), user: "t" });
    const [queued] = await db.query<{ queue_name: string; min_batch_size: number }>(
      "SELECT queue_name, min_batch_size FROM Queue_Triggers WHERE id = ?",
      [queue],
    );
    assert.deepEqual([queued.queue_name, Number(queued.min_batch_size)], ["Invoices.Intake", 5]);
    assert.equal(await audits(db), 3);

    const read = (await getTrigger(db, queue))!;
    assert.equal(read.is_blocking, true);
    assert.equal(read.is_git_repo, false);
    assert.equal(read.next_run, null);
    assert.equal(read.min_batch_size, 5);
  },
);

contractTest(
  "triggers: every action from every status is allowed, refused or a conflict",
  async (db) => {
    const now = nowDbTime();
    for (const type of TRIGGER_TYPES) {
      const id = await createTrigger(db, { input: triggerInput(type), user: "t" });
      for (const action of TRIGGER_ACTIONS) {
        for (const status of TRIGGER_STATUSES) {
          const where = `${action} ${type} ${status}`;
          await db.run("UPDATE Triggers SET process_status = ? WHERE id = ?", [status, id]);
          const before = await audits(db);
          const other = status === "IDLE" ? "RUNNING" : "IDLE";
          const stale = await actOnTrigger(db, {
            id,
            action,
            seen: other,
            confirmed: true,
            user: "t",
          });
          assert.equal(stale.result, "conflict", where);
          assert.match((stale as { message: string }).message, /Someone else changed/);

          const step = decide(action, { type, status }, { killing: true });
          const outcome = await actOnTrigger(db, {
            id,
            action,
            seen: status,
            nextRun: "2031-05-01 10:00:00.000000",
            user: "t",
          });
          const stored = (await getTrigger(db, id))!;
          if (step.ok) {
            assert.equal(outcome.result, "done", where);
            assert.equal(stored.process_status, step.to, where);
            assert.equal(await audits(db), before + 1, where);
            if (step.nextRun === "now") assert.ok(second(stored.next_run!) >= second(now), where);
            if (step.nextRun === "given") {
              assert.equal(stored.next_run, "2031-05-01 10:00:00.000000", where);
            }
          } else {
            assert.equal(outcome.result, step.reason, where);
            assert.equal(stored.process_status, status, where);
            assert.equal(await audits(db), before, where);
          }
          if (step.ok === false && step.reason === "confirm") {
            const confirmed = await actOnTrigger(db, {
              id,
              action,
              seen: status,
              confirmed: true,
              user: "t",
            });
            assert.equal(confirmed.result, "done", where);
            assert.equal((await getTrigger(db, id))!.process_status, "IDLE", where);
          }
        }
      }
    }
    assert.equal(
      (await actOnTrigger(db, { id: missing(db), action: "pause", user: "t" })).result,
      "missing",
    );
  },
);

contractTest("triggers: run now sets next_run to now; run again needs a time", async (db) => {
  const id = await createTrigger(db, { input: triggerInput("SCHEDULED"), user: "t" });
  const before = nowDbTime();
  const run = await actOnTrigger(db, { id, action: "run", seen: "IDLE", user: "t" });
  assert.equal(run.result, "done");
  const after = (await getTrigger(db, id))!;
  assert.ok(second(after.next_run!) >= second(before));
  assert.ok(second(after.next_run!) <= second(nowDbTime()));
  assert.equal(after.last_run, null, "run now leaves last_run to the scheduler");

  const single = await createTrigger(db, { input: triggerInput("SINGLE"), user: "t" });
  await db.run("UPDATE Triggers SET process_status = 'DONE' WHERE id = ?", [single]);
  const refused = await actOnTrigger(db, { id: single, action: "resume", seen: "DONE", user: "t" });
  assert.equal(refused.result, "refused");
  assert.equal((await getTrigger(db, single))!.process_status, "DONE");
});

contractTest(
  "triggers: delete removes the sub-row and the trigger, never while running",
  async (db) => {
    for (const type of TRIGGER_TYPES) {
      for (const status of TRIGGER_STATUSES) {
        const id = await createTrigger(db, { input: triggerInput(type), user: "t" });
        await db.run("UPDATE Triggers SET process_status = ? WHERE id = ?", [status, id]);
        const stale = await deleteTrigger(db, {
          id,
          seen: status === "IDLE" ? "PAUSED" : "IDLE",
          user: "t",
        });
        assert.equal(stale.result, "conflict");
        const outcome = await deleteTrigger(db, { id, seen: status, user: "t" });
        const running = ["RUNNING", "PAUSING", "KILLING"].includes(status);
        assert.equal(outcome.result, running ? "refused" : "done", `${type} ${status}`);
        assert.equal(await getTrigger(db, id) === null, !running, `${type} ${status}`);
        const subRows = await count(
          db,
          `SELECT (SELECT COUNT(*) FROM Single_Triggers WHERE id = ?) +
                (SELECT COUNT(*) FROM Scheduled_Triggers WHERE id = ?) +
                (SELECT COUNT(*) FROM Queue_Triggers WHERE id = ?) AS n`,
          [id, id, id],
        );
        assert.equal(subRows, running ? 1 : 0);
      }
    }
    assert.equal((await deleteTrigger(db, { id: missing(db), user: "t" })).result, "missing");
  },
);

contractTest(
  "triggers: an edit changes fields and sub-row, never status, last run or type",
  async (db) => {
    const id = await createTrigger(db, { input: triggerInput("QUEUE"), user: "t" });
    await db.run("UPDATE Triggers SET process_status = 'RUNNING', last_run = ? WHERE id = ?", [
      time("2026-01-01 08:00:00.000000"),
      id,
    ]);
    const changed = triggerInput("QUEUE", {
      trigger_name: "Renamed",
      queue_name: "Other.Queue",
      min_batch_size: 10,
      scheduler_whitelist: '["vm"]',
      process_args: "--fast",
      is_blocking: false,
    });
    assert.equal(await updateTrigger(db, { id, input: changed, user: "t" }), "done");
    const after = (await getTrigger(db, id))!;
    assert.equal(after.process_status, "RUNNING");
    assert.equal(after.last_run, "2026-01-01 08:00:00.000000");
    assert.deepEqual(
      [after.trigger_name, after.queue_name, after.min_batch_size, after.scheduler_whitelist],
      ["Renamed", "Other.Queue", 10, '["vm"]'],
    );
    assert.equal(after.is_blocking, false);
    assert.equal(await updateTrigger(db, { id, input: triggerInput("SINGLE"), user: "t" }), "type");
    assert.equal(
      await updateTrigger(db, { id: missing(db), input: changed, user: "t" }),
      "missing",
    );
    const [entry] = await db.query<{ log_message: string }>(
      "SELECT log_message FROM Logs WHERE log_message LIKE ?",
      ["%changed trigger%"],
    );
    assert.match(entry.log_message, /trigger_name "QUEUE trigger" -> "Renamed"/);
    assert.match(entry.log_message, /min_batch_size 5 -> 10/);
    assert.match(entry.log_message, /is_blocking true -> false/);
    assert.doesNotMatch(entry.log_message, /process_status|last_run/);
  },
);

contractTest("triggers: the list filters, searches, sorts and pages", async (db) => {
  const ids: Record<string, string> = {};
  for (
    const [name, type, status, priority, next] of [
      ["Alpha", "SCHEDULED", "IDLE", 1, "2030-01-03 00:00:00.000000"],
      ["Bravo", "SINGLE", "FAILED", 5, "2030-01-01 00:00:00.000000"],
      ["Charlie", "QUEUE", "PAUSED", 3, null],
      ["Delta", "SINGLE", "IDLE", 2, "2030-01-02 00:00:00.000000"],
    ] as const
  ) {
    ids[name] = await createTrigger(db, {
      input: triggerInput(type, {
        trigger_name: name,
        priority,
        next_run: next,
        process_path: `C:\\Robots\\${name.toLowerCase()}_path`,
      }),
      user: "t",
    });
    await db.run("UPDATE Triggers SET process_status = ? WHERE id = ?", [status, ids[name]]);
  }
  const names = async (over = {}, filters = {}) =>
    (await listTriggers(db, { params: params(over), filters: { ...NO_FILTER, ...filters } })).rows
      .map((r) => r.trigger_name);
  assert.deepEqual(await names(), ["Alpha", "Bravo", "Charlie", "Delta"]);
  assert.deepEqual(await names({}, { type: "SINGLE" }), ["Bravo", "Delta"]);
  assert.deepEqual(await names({}, { status: ["IDLE", "PAUSED"] }), ["Alpha", "Charlie", "Delta"]);
  assert.deepEqual(await names({}, { type: "SINGLE", status: ["IDLE"] }), ["Delta"]);
  assert.deepEqual(await names({ q: "invoices.intake" }), ["Charlie"], "search covers the queue");
  const found = await listTriggers(db, {
    params: params({ q: "invoices.intake" }),
    filters: NO_FILTER,
  });
  assert.equal(found.total, 1, "a search counts through the joins");
  assert.deepEqual(await names({ q: "bravo_path" }), ["Bravo"], "search covers the path");
  assert.deepEqual(await names({ q: "%" }), [], "LIKE wildcards are literal");
  assert.deepEqual(await names({ sort: "priority", dir: "desc" }), [
    "Bravo",
    "Charlie",
    "Delta",
    "Alpha",
  ]);
  assert.deepEqual(await names({ sort: "next_run" }), ["Charlie", "Bravo", "Delta", "Alpha"]);
  const page = await listTriggers(db, { params: params({ size: 3, page: 2 }), filters: NO_FILTER });
  assert.deepEqual([page.total, page.rows.map((r) => r.trigger_name)], [4, ["Delta"]]);
  const [charlie] =
    (await listTriggers(db, { params: params({ q: "Charlie" }), filters: NO_FILTER })).rows;
  assert.deepEqual([charlie.queue_name, charlie.min_batch_size, charlie.next_run], [
    "Invoices.Intake",
    5,
    null,
  ]);
});

contractTest("triggers: the form's choices come from the schedulers and the queues", async (db) => {
  const at = time(nowDbTime());
  for (const machine of ["vm-b", "vm-a"]) {
    await db.run("INSERT INTO Schedulers (machine_name, last_update) VALUES (?, ?)", [
      machine,
      at,
    ]);
  }
  for (const name of ["Q.b", "Q.a", "Q.b"]) {
    await db.run(
      "INSERT INTO Queues (id, queue_name, status, created_date) VALUES (?, ?, 'NEW', ?)",
      [newId(db.info), name, at],
    );
  }
  await createTrigger(db, { input: triggerInput("QUEUE", { queue_name: "Q.c" }), user: "t" });
  assert.deepEqual(await triggerChoices(db), {
    machines: ["vm-a", "vm-b"],
    queues: ["Q.a", "Q.b", "Q.c"],
  });
});

contractTest(
  "schedulers: states by last ping, whitelisted triggers, names never seen",
  async (db) => {
    const now = new Date(2026, 2, 1, 12, 0, 0);
    const ago = (seconds: number) => time(formatDbTime(new Date(now.getTime() - seconds * 1000)));
    for (const [machine, age] of [["vm-1", 10], ["vm-2", 200], ["vm-3", 4000]] as const) {
      await db.run(
        "INSERT INTO Schedulers (machine_name, last_update, latest_trigger) VALUES (?, ?, ?)",
        [machine, ago(age), machine === "vm-1" ? "Nightly" : null],
      );
    }
    await createTrigger(db, {
      input: triggerInput("SINGLE", { trigger_name: "A", scheduler_whitelist: '["vm-1", "vm-9"]' }),
      user: "t",
    });
    await createTrigger(db, {
      input: triggerInput("SINGLE", { trigger_name: "B", scheduler_whitelist: '["vm-1"]' }),
      user: "t",
    });
    await createTrigger(db, { input: triggerInput("SINGLE", { trigger_name: "C" }), user: "t" });
    const overview = await listSchedulers(db, { params: params({ sort: "machine_name" }), now });
    assert.deepEqual(
      overview.rows.map((r) => [r.machine_name, r.state, r.whitelisted]),
      [["vm-1", "online", ["A", "B"]], ["vm-2", "stale", []], ["vm-3", "offline", []]],
    );
    assert.equal(overview.open, 1);
    assert.deepEqual(overview.unknown, [{ machine: "vm-9", triggers: ["A"] }]);
  },
);

Deno.test("a Python-written database (develop) lists its triggers as stored", async () => {
  const t = await tempDatabase({ from: "develop" });
  try {
    const { rows } = await listTriggers(t.db, { params: params(), filters: NO_FILTER });
    assert.deepEqual(rows.map((r) => [r.trigger_name, r.type, r.process_status]), [
      ["Case intake", "QUEUE", "FAILED"],
      ["Nightly invoices", "SCHEDULED", "IDLE"],
      ["One-off cleanup", "SINGLE", "IDLE"],
    ]);
    const nightly = rows[1];
    assert.equal(nightly.scheduler_whitelist, '["rpa-vm-01", "rpa-vm-02"]');
    assert.equal(nightly.git_branch, "main");
    assert.equal(nightly.cron_expr, "0 2 * * MON-FRI");
    assert.equal(rows[0].scheduler_whitelist, null, "the newer line stores NULL for none");
    assert.equal(rows[2].process_args, '{"dry_run": true}');
    // A trigger we write there looks like the ones Python wrote.
    const id = await createTrigger(t.db, {
      input: triggerInput("SINGLE", { is_git_repo: true, git_branch: "main" }),
      user: "t",
    });
    assert.match(id, /^[0-9a-f]{32}$/);
    const row = await rawTrigger(t.db, id);
    assert.deepEqual([row.is_git_repo, row.is_blocking, row.git_branch], [1, 1, "main"]);
  } finally {
    await t.close();
  }
});

Deno.test("a 2.0.x database: no git_branch written, 'null' read as no whitelist, never KILLING", async () => {
  const t = await tempDatabase({ from: "2.0" });
  try {
    const { rows } = await listTriggers(t.db, { params: params(), filters: NO_FILTER });
    assert.equal(rows[0].trigger_name, "Case intake");
    assert.equal(rows[0].scheduler_whitelist, "null");
    assert.equal(rows[0].git_branch, null);
    const id = await createTrigger(t.db, {
      input: triggerInput("SCHEDULED", { git_branch: "ignored" }),
      user: "t",
    });
    assert.equal((await rawTrigger(t.db, id)).scheduler_whitelist, "[]");
    await t.db.run("UPDATE Triggers SET process_status = 'RUNNING' WHERE id = ?", [id]);
    const kill = await actOnTrigger(t.db, { id, action: "kill", seen: "RUNNING", user: "t" });
    assert.equal(kill.result, "refused");
    assert.equal((await getTrigger(t.db, id))!.process_status, "RUNNING");
    const [{ n }] = await t.db.query<{ n: number }>(
      "SELECT COUNT(*) AS n FROM Triggers WHERE process_status IN ('KILLING', 'KILLED')",
    );
    assert.equal(n, 0);
  } finally {
    await t.close();
  }
});

Deno.test("a page of triggers sorts their keys, then reads the page's triggers alone", async () => {
  const t = await tempDatabase();
  try {
    for (let i = 0; i < 12; i++) {
      await createTrigger(t.db, {
        input: triggerInput("SCHEDULED", { trigger_name: `T${i}`, priority: i % 4 }),
        user: "t",
      });
    }
    const { executor, reads } = keepingReads(t.db);
    const page = await listTriggers(executor, {
      params: params({ sort: "priority", dir: "desc", size: 5, page: 2 }),
      filters: NO_FILTER,
    });
    // By priority, then by id (the tiebreak): the second five.
    const all = await listTriggers(t.db, {
      params: params({ sort: "priority", dir: "desc", size: 50 }),
      filters: NO_FILTER,
    });
    assert.deepEqual(page.rows.map((r) => r.id), all.rows.slice(5, 10).map((r) => r.id));
    // With no condition the count, and the keys of a sort by a trigger's own column, read the
    // triggers alone: the joins add no row. A sort by the next run needs them.
    assert.equal(page.total, 12);
    const [count] = reads.filter((read) => read.sql.includes("COUNT"));
    assert.equal(count.sql, "SELECT COUNT(*) AS total FROM Triggers t");
    const [rows] = reads.filter((read) => !read.sql.includes("COUNT"));
    assert.match(rows.sql, /IN \(SELECT t\.id FROM Triggers t ORDER BY t\.priority DESC/);
    const byNextRun = await listTriggers(executor, {
      params: params({ sort: "next_run", dir: "desc", size: 5, page: 2 }),
      filters: NO_FILTER,
    });
    assert.equal(byNextRun.rows.length, 5);
    assert.match(reads.at(-2)!.sql, /IN \(SELECT t\.id FROM Triggers t LEFT JOIN Single_Triggers/);
    const plan = (await t.db.query<{ detail: string }>(
      `EXPLAIN QUERY PLAN ${rows.sql}`,
      rows.params,
    )).map((r) => r.detail);
    assert.ok(plan.includes("LIST SUBQUERY 1"), plan.join("; "));
    assert.ok(
      plan.includes("SEARCH t USING INDEX sqlite_autoindex_Triggers_1 (id=?)"),
      plan.join("; "),
    );
  } finally {
    await t.close();
  }
});
