import assert from "node:assert/strict";
import { formatDbTime, parseDbTime, shiftTime } from "../lib/time.ts";
import { type Executor, type Param, time } from "./connection.ts";
import { searchEverything, searchMessages, type SearchOptions } from "./search.ts";
import { SEARCH_SLICE_ROWS } from "./list.ts";
import {
  contractTest,
  insertElement,
  insertLog,
  insertManyLogs,
  insertQueueTrigger,
  insertTimedTrigger,
  keepingReads,
  tempDatabase,
} from "./testing.ts";

const NOW = new Date(2026, 10, 28, 12, 0, 0);
const ago = (hours: number) => formatDbTime(new Date(NOW.getTime() - hours * 3_600_000));
const options = (over: Partial<SearchOptions> = {}): SearchOptions => ({
  limit: 5,
  processes: ["Case Intake", "Citizen Mail", "Payroll Export"],
  queues: ["Intake.Cases", "Mail.Outgoing"],
  now: NOW,
  ...over,
});

{
  const test = contractTest;

  test("search: references by exact value and prefix across queues, wildcards literal", async (db) => {
    const elements: [string, string, string][] = [
      ["Intake.Cases", "INTAKE-1330", "NEW"],
      ["Archive.Cases", "INTAKE-1330", "DONE"],
      ["Intake.Cases", "INTAKE-13301", "FAILED"],
      ["Intake.Cases", "INTAKE-1331", "NEW"],
      ["Intake.Cases", "XINTAKE-1330", "NEW"],
      ["Odd.Refs", "A%B-1", "NEW"],
      ["Odd.Refs", "A_B-1", "NEW"],
      ["Odd.Refs", "A[B]-1", "NEW"],
      ["Odd.Refs", "AXB-1", "NEW"],
      ["Odd.Refs", "A\\B-1", "NEW"],
    ];
    for (const [i, [queue_name, reference, status]] of elements.entries()) {
      await insertElement(db, {
        queue_name,
        reference,
        status,
        created_date: ago(i),
        end_date: status === "NEW" ? null : ago(i / 2),
      });
    }
    const refs = async (q: string) =>
      (await searchEverything(db, q, options())).elements.rows.map((r) =>
        `${r.queue_name} ${r.reference}`
      ).sort();

    assert.deepEqual(await refs("INTAKE-1330"), [
      "Archive.Cases INTAKE-1330",
      "Intake.Cases INTAKE-1330",
      "Intake.Cases INTAKE-13301",
    ]);
    assert.deepEqual(await refs("intake-133"), [
      "Archive.Cases INTAKE-1330",
      "Intake.Cases INTAKE-1330",
      "Intake.Cases INTAKE-13301",
      "Intake.Cases INTAKE-1331",
    ], "a prefix, in any case; never the middle of a reference");
    assert.deepEqual(await refs("A%"), ["Odd.Refs A%B-1"]);
    assert.deepEqual(await refs("A_"), ["Odd.Refs A_B-1"]);
    assert.deepEqual(await refs("A["), ["Odd.Refs A[B]-1"]);
    assert.deepEqual(await refs("A[B]"), ["Odd.Refs A[B]-1"]);
    assert.deepEqual(await refs("A\\"), ["Odd.Refs A\\B-1"]);
    assert.deepEqual(await refs("B-1"), []);

    const [hit] = (await searchEverything(db, "INTAKE-1331", options())).elements.rows;
    assert.equal(hit.status, "NEW");
    assert.equal(hit.created_date, ago(3));
    assert.equal(hit.end_date, null);

    // The exact reference comes first; a group says when it holds more than its limit.
    const two = await searchEverything(db, "INTAKE-13", options({ limit: 2 }));
    assert.deepEqual(two.elements.rows.map((r) => r.reference), ["INTAKE-1330", "INTAKE-1330"]);
    assert.equal(two.elements.more, true);
    assert.equal((await searchEverything(db, "INTAKE-1331", options())).elements.more, false);
  });

  test("search: triggers, constants, credentials, machines, processes and queues by name", async (db) => {
    await insertQueueTrigger(db, { name: "Case intake", queue: "Intake.Cases" });
    await insertTimedTrigger(db, {
      name: "Nightly invoices",
      type: "SCHEDULED",
      status: "IDLE",
      nextRun: ago(-2),
    });
    await insertTimedTrigger(db, {
      name: "50% off_[sale]",
      type: "SINGLE",
      status: "PAUSED",
      nextRun: ago(-2),
    });
    for (const name of ["Portal URL", "Intake mailbox", "Max retries"]) {
      await db.run("INSERT INTO Constants (name, value, changed_at) VALUES (?, ?, ?)", [
        name,
        "v",
        time(ago(1)),
      ]);
    }
    await db.run(
      "INSERT INTO Credentials (name, username, password, changed_at) VALUES (?, ?, ?, ?)",
      ["Intake portal", "svc", "token", time(ago(1))],
    );
    for (const [machine, hours] of [["rpa-intake-01", 0], ["rpa-vm-02", 48]] as const) {
      await db.run(
        "INSERT INTO Schedulers (machine_name, last_update) VALUES (?, ?)",
        [machine, time(ago(hours))],
      );
    }

    const found = await searchEverything(db, "intake", options());
    assert.deepEqual(found.triggers.rows.map((t) => [t.trigger_name, t.process_name, t.type]), [
      ["Case intake", "Case intake process", "QUEUE"],
    ]);
    assert.deepEqual(found.constants.rows, ["Intake mailbox"]);
    assert.deepEqual(found.credentials.rows, ["Intake portal"]);
    assert.deepEqual(found.schedulers.rows.map((s) => [s.machine_name, s.state]), [
      ["rpa-intake-01", "online"],
    ]);
    assert.deepEqual(found.processes.rows, ["Case Intake"]);
    assert.deepEqual(found.queues.rows, ["Intake.Cases"]);

    // A trigger by its process name; wildcards in a name are literal.
    const byProcess = await searchEverything(db, "case intake PROC", options());
    assert.deepEqual(byProcess.triggers.rows.map((t) => t.trigger_name), ["Case intake"]);
    for (const q of ["50%", "off_", "[sale]"]) {
      const odd = await searchEverything(db, q, options());
      assert.deepEqual(odd.triggers.rows.map((t) => t.trigger_name), ["50% off_[sale]"], q);
    }
    assert.deepEqual((await searchEverything(db, "_", options())).triggers.rows.length, 1);
    const offline = await searchEverything(db, "vm-02", options());
    assert.deepEqual(offline.schedulers.rows.map((s) => s.state), ["offline"]);
  });

  test("search: log messages of the last 24 hours only, newest first, capped", async (db) => {
    const log = (hours: number, message: string, process_name = "Case Intake") =>
      insertLog(db, {
        log_time: ago(hours),
        log_level: "INFO",
        process_name,
        log_message: message,
      });
    await log(25, "Handled INTAKE-1330 (too old)");
    await log(23, "Handled INTAKE-1330");
    await log(2, "Retried intake-1330 after a timeout", "Citizen Mail");
    await log(1, "Nothing to see");
    await log(0.5, "100% done [ok]");

    const found = await searchEverything(db, "INTAKE-1330", options());
    assert.equal(found.since, ago(24));
    assert.deepEqual(found.messages.rows.map((r) => [r.process_name, r.log_message]), [
      ["Citizen Mail", "Retried intake-1330 after a timeout"],
      ["Case Intake", "Handled INTAKE-1330"],
    ]);
    assert.equal(found.messages.rows[0].log_time, ago(2));
    const capped = await searchEverything(db, "INTAKE-1330", options({ limit: 1 }));
    assert.deepEqual(capped.messages.rows.map((r) => r.log_message), [
      "Retried intake-1330 after a timeout",
    ]);
    assert.equal(capped.messages.more, true);
    // The header's list reads the messages on their own.
    const names = await searchEverything(db, "INTAKE-1330", options({ messages: false }));
    assert.deepEqual(names.messages, { rows: [], more: false });
    assert.deepEqual(
      await searchMessages(db, "INTAKE-1330", { limit: 5, now: NOW }),
      { since: found.since, messages: found.messages },
    );
    for (const q of ["100%", "[ok]", "% done"]) {
      const odd = await searchEverything(db, q, options());
      assert.deepEqual(odd.messages.rows.map((r) => r.log_message), ["100% done [ok]"], q);
    }
    assert.deepEqual((await searchEverything(db, "0%", options())).messages.rows.length, 1);
  });
}

Deno.test("search: empty text finds nothing and reads nothing", async () => {
  const statements: string[] = [];
  const db: Executor = {
    dialect: {
      name: "sqlite",
      page: () => "",
      firstRows: (s) => s,
      day: (c) => c,
      rowKey: "rowid",
      mergesRanges: true,
    },
    query(sql: string) {
      statements.push(sql);
      return Promise.resolve([]);
    },
    run: () => Promise.resolve(0),
  };
  const found = await searchEverything(db, "", options());
  assert.deepEqual(statements, []);
  assert.deepEqual(found.processes, { rows: [], more: false });
  assert.deepEqual(found.messages, { rows: [], more: false });
});

Deno.test("search: on SQLite the reference and message reads use their indexes", async () => {
  const t = await tempDatabase();
  try {
    const { executor, reads: read } = keepingReads(t.db);
    await searchEverything(executor, "INTAKE-1", options());
    const plan = async (table: string) => {
      const statement = read.find((s) => s.sql.includes(`FROM ${table}`))!;
      const rows = await t.db.query<{ detail: string }>(
        `EXPLAIN QUERY PLAN ${statement.sql}`,
        statement.params,
      );
      return rows.map((r) => r.detail).join("; ");
    };
    assert.match(await plan("Queues"), /SEARCH Queues USING INDEX ix_oo_web_Queues_reference/);
    assert.doesNotMatch(await plan("Queues"), /TEMP B-TREE FOR ORDER BY/);
    // The messages: where the slice of the day's rows ends (the index alone), then its matches.
    const logs = read.filter((s) => s.sql.includes("FROM Logs"));
    assert.equal(logs.length, 2);
    const planOf = async ({ sql, params }: { sql: string; params: Param[] }) =>
      (await t.db.query<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, params))
        .map((r) => r.detail).join("; ");
    assert.match(await planOf(logs[0]), /SEARCH Logs USING COVERING INDEX ix_oo_web_Logs_time/);
    assert.match(
      await planOf(logs[1]),
      /SEARCH Logs USING INDEX ix_oo_web_Logs_time \(log_time>\?\)/,
    );
  } finally {
    await t.close();
  }
});

Deno.test("search: the messages stop after a slice of the day's rows and say how far back they read", async () => {
  const t = await tempDatabase();
  try {
    // Rows a second apart before 08:00; one match 9,000 rows back, past the first slice.
    await insertManyLogs(t.db, { process: "Big", n: 12_000 });
    await t.db.run("UPDATE Logs SET log_message = ? WHERE log_message = ?", [
      "cpr 9000",
      "row 9000",
    ]);
    const now = parseDbTime("2026-11-20 08:00:01.000000");
    const found = await searchMessages(t.db, "cpr", { limit: 5, now });
    assert.deepEqual(found.messages, {
      rows: [],
      more: false,
      searchedTo: shiftTime("2026-11-20 08:00:00.000000", -SEARCH_SLICE_ROWS * 1000),
    });
    const common = await searchMessages(t.db, "row", { limit: 5, now });
    assert.deepEqual([common.messages.rows.length, common.messages.more], [5, true]);
    assert.equal(common.messages.searchedTo, undefined);
  } finally {
    await t.close();
  }
});
