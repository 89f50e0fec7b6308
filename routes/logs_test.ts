import assert from "node:assert/strict";
import { nowDbTime, shiftTime } from "../lib/time.ts";
import { holdWriteLock, insertLog } from "../db/testing.ts";
import { type TestApp, testApp } from "./testing.ts";

type Json = Record<string, unknown> & { rows: Record<string, unknown>[] };

async function json(t: TestApp, path: string): Promise<Json> {
  const res = await t.json(path);
  assert.equal(res.status, 200, path);
  return await res.json();
}

async function count(t: TestApp, where = "1 = 1"): Promise<number> {
  const [row] = await t.db.query<{ n: number }>(`SELECT COUNT(*) AS n FROM Logs WHERE ${where}`);
  return Number(row.n);
}

Deno.test("GET /logs counts by process and level (from the poller); page, fragment, JSON", async () => {
  const t = await testApp({ from: "develop" });
  try {
    const body = await json(t, "/logs");
    assert.equal(body.total, 3);
    assert.deepEqual(
      body.rows.map((r) => [r.process_name, r.trace, r.info, r.error, r.total]),
      [["Cleanup", 2, 6, 2, 10], ["Intake", 3, 5, 2, 10], ["Invoices", 3, 4, 4, 11]],
    );
    assert.match(body.rows[0].last_error as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    assert.deepEqual((await json(t, "/logs?q=int")).rows.map((r) => r.process_name), ["Intake"]);
    assert.deepEqual(
      (await json(t, "/logs?sort=error&dir=desc&size=1")).rows.map((r) => r.process_name),
      ["Invoices"],
    );
    const page = await (await t.get("/logs")).text();
    assert.match(page, /href="\/logs\/Invoices\?level=ERROR"/);
    assert.match(page, /href="\/logs\/all"/);
    const fragment = await (await t.get("/logs", { "HX-Request": "true" })).text();
    assert.match(fragment, /^<div id="processes-table"/);
    assert.equal((await t.json("/logs?sort=log_message")).status, 400);
    assert.equal((await t.json("/logs?size=100000")).status, 400);
  } finally {
    await t.close();
  }
});

Deno.test("the log view filters by level, search and time, pages by cursor, and expands long messages", async () => {
  const t = await testApp({ from: "develop" });
  try {
    const all = await json(t, "/logs/all?size=10");
    assert.deepEqual([all.total, all.total_capped, all.rows.length], [31, false, 10]);
    assert.deepEqual(Object.keys(all.rows[0]).sort(), [
      "id",
      "log_level",
      "log_message",
      "log_time",
      "process_name",
    ]);
    const times = [...all.rows];
    let next = all.next as string | null;
    while (next) {
      const more = await json(t, `/logs/all?size=10&after=${encodeURIComponent(next)}`);
      times.push(...more.rows);
      next = more.next as string | null;
    }
    assert.equal(new Set(times.map((r) => r.id)).size, 31);
    const stamps = times.map((r) => r.log_time as string);
    assert.deepEqual(stamps, [...stamps].sort().reverse(), "newest first");

    const errors = await json(t, "/logs/Invoices?level=ERROR");
    assert.equal(errors.total, 4);
    assert.ok(errors.rows.every((r) => r.log_level === "ERROR" && r.process_name === "Invoices"));
    const two = await json(t, "/logs/all?level=ERROR&level=TRACE");
    assert.equal(two.total, 16);
    const search = await json(t, "/logs/Intake?q=message%201");
    assert.equal(search.total, 5, "Message 1, 10, 13, 16, 19 of Intake");
    const first = times.at(-1)!.log_time as string;
    const minute = await json(t, `/logs/all?from=${first.slice(0, 16)}&to=${first.slice(0, 16)}`);
    assert.equal(minute.total, 31);
    const none = await json(t, "/logs/all?from=2999-01-01T00:00");
    assert.deepEqual([none.total, none.next], [0, null]);
    assert.equal((await json(t, "/logs/Nobody")).total, 0);

    const html = await (await t.get("/logs/Invoices")).text();
    assert.match(
      html,
      /<details class="message"><summary>A{200}&hellip;/,
      "the 8000-character message folds",
    );
    assert.match(html, /\(8,000 characters\)/);
    assert.match(html, /Message 0: &lt;b&gt;html&lt;\/b&gt; &amp; &#39;quotes&#39;/, "escaped");
    assert.match(html, /x-data="liveTail"/);
    assert.match(html, /id="log-tail" hidden="" hx-get="\/logs\/Invoices\/tail\?after=/);
    assert.match(html, /Type the process name \(Invoices\) to confirm/);
    const fragment = await (await t.get("/logs/all?size=5", { "HX-Request": "true" })).text();
    assert.match(fragment, /^<div id="logs-table"/);
    assert.match(fragment, /rel="next"/);
  } finally {
    await t.close();
  }
});

Deno.test("around this opens ±2 minutes with the row marked", async () => {
  const t = await testApp();
  try {
    const now = nowDbTime();
    const ids: string[] = [];
    for (const minutes of [-10, -3, -1, 0, 1, 3]) {
      ids.push(
        await insertLog(t.db, {
          log_time: shiftTime(now, minutes * 60_000),
          log_level: "INFO",
          process_name: "Around",
          log_message: `at ${minutes}`,
        }),
      );
    }
    const page = await (await t.get("/logs/Around")).text();
    const link = new RegExp(`href="(/logs/Around\\?from=[^"]+highlight=${ids[3]}[^"]*)"`).exec(
      page,
    )!;
    const href = link[1].replaceAll("&amp;", "&");
    assert.match(href, /size=200#log-/);
    const around = await t.get(href.split("#")[0]);
    const html = await around.text();
    assert.match(
      html,
      new RegExp(`<tr\\s+id="log-${ids[3]}"\\s+class="highlight"\\s+aria-current="true">`),
    );
    for (const text of ["at -1", "at 0", "at 1"]) assert.match(html, new RegExp(`>${text}<`));
    for (const text of ["at -10", "at 3"]) assert.doesNotMatch(html, new RegExp(`>${text}<`));
  } finally {
    await t.close();
  }
});

Deno.test("the live tail brings the rows newer than the newest shown, then moves its cursor", async () => {
  const t = await testApp({ from: "develop" });
  try {
    const page = await (await t.get("/logs/Intake?level=ERROR")).text();
    const source = /id="log-tail" hidden="" hx-get="([^"]+)"/.exec(page)![1].replaceAll(
      "&amp;",
      "&",
    );
    assert.match(source, /^\/logs\/Intake\/tail\?level=ERROR&after=/);
    const quiet = await (await t.get(source, { "HX-Request": "true" })).text();
    assert.doesNotMatch(quiet, /<tr/);
    assert.match(quiet, /id="log-tail" hidden="" hx-get="[^"]+" [^>]*hx-swap-oob="true"/);

    const now = nowDbTime();
    await insertLog(t.db, {
      log_time: now,
      log_level: "ERROR",
      process_name: "Intake",
      log_message: "fresh",
    });
    await insertLog(t.db, {
      log_time: now,
      log_level: "INFO",
      process_name: "Intake",
      log_message: "info",
    });
    await insertLog(t.db, {
      log_time: now,
      log_level: "ERROR",
      process_name: "Other",
      log_message: "other",
    });
    const news = await (await t.get(source, { "HX-Request": "true" })).text();
    assert.match(news, /<tr\s+id="log-[0-9a-f]{32}"\s+class="new"\s*>/);
    assert.match(news, />fresh</);
    assert.doesNotMatch(news, />info<|>other</, "the filters hold");
    const moved = /id="log-tail" hidden="" hx-get="([^"]+)"/.exec(news)![1].replaceAll(
      "&amp;",
      "&",
    );
    assert.notEqual(moved, source);
    assert.doesNotMatch(await (await t.get(moved, { "HX-Request": "true" })).text(), /<tr/);
    const deep = await (await t.get(
      "/logs/Intake?size=2&after=2030-01-01T00:00:00.000000_00000000000040008000000000000000",
    )).text();
    assert.doesNotMatch(deep, /id="log-tail"/, "no tail on a deeper page");
    assert.equal((await t.get("/logs/all/tail?after=junk")).status, 400);
  } finally {
    await t.close();
  }
});

Deno.test("bad log filters are refused with 400 and a message next to the field", async () => {
  const t = await testApp({ from: "develop" });
  try {
    const cases: [string, string, RegExp][] = [
      ["level=WARNING", "level", /Unknown level 'WARNING'/],
      ["from=2026-11-22", "from", /From must be a date and time/],
      ["to=24:00", "to", /To must be a date and time/],
      ["from=2026-11-22T10:00&to=2026-11-22T09:00", "to", /not be before From/],
      ["size=1000000", "size", /from 1 to 500/],
      ["before=2026", "before", /cursor cannot be read/],
      ["highlight=1%20OR%201=1", "highlight", /log id/],
    ];
    for (const [query, field, message] of cases) {
      const res = await t.json(`/logs/all?${query}`);
      assert.equal(res.status, 400, query);
      assert.match((await res.json()).errors[field], message, query);
      const page = await t.get(`/logs/Invoices?${query}`);
      assert.equal(page.status, 400);
      const html = await page.text();
      if (["level", "from", "to"].includes(field)) {
        assert.match(html, new RegExp(`id="logs-table-${field}-error"`), query);
      }
    }
  } finally {
    await t.close();
  }
});

Deno.test("deleting chosen log rows and old rows of a process: confirmed and audited", async () => {
  const t = await testApp({ from: "develop" });
  try {
    const rows = await t.db.query<{ id: string }>(
      "SELECT id FROM Logs WHERE process_name = 'Cleanup' ORDER BY log_time LIMIT 2",
    );
    const [other] = await t.db.query<{ id: string }>(
      "SELECT id FROM Logs WHERE process_name = 'Intake' LIMIT 1",
    );
    const res = await t.post("/logs/Cleanup/actions/delete", {
      id: [...rows.map((r) => r.id), other.id],
    }, { "OO-View": "/logs/Cleanup" });
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /Deleted 2 log rows\. 1 were already gone\./);
    // The rows the page shows come along as they are now: the deleted ones are gone.
    assert.match(html, /<div id="logs-table"[^>]* hx-swap-oob="true"/);
    assert.match(html, /8 shown of 8/);
    for (const row of rows) assert.doesNotMatch(html, new RegExp(row.id));
    assert.equal(await count(t, "process_name = 'Cleanup'"), 8);
    assert.equal(await count(t, "process_name = 'Intake'"), 10, "another process's row stays");

    assert.equal((await t.post("/logs/Cleanup/actions/delete", {})).status, 400);
    assert.equal((await t.post("/logs/Cleanup/actions/delete", { id: "x" })).status, 400);

    const tomorrow = shiftTime(nowDbTime(), 86_400_000).slice(0, 10);
    const today = nowDbTime().slice(0, 10);
    const bad: [Record<string, string>, string, RegExp][] = [
      [{ before: tomorrow, confirm: "Intake" }, "before", /today or earlier/],
      [{ before: "2026-02-30", confirm: "Intake" }, "before", /a date like/],
      [{ before: "yesterday", confirm: "Intake" }, "before", /a date like/],
      [{ before: today, confirm: "intake" }, "confirm", /Type the process name exactly \(Intake\)/],
      [{ before: today }, "confirm", /required/],
    ];
    for (const [form, field, message] of bad) {
      const res = await t.post("/logs/Intake/actions/delete-older", form);
      assert.equal(res.status, 422, JSON.stringify(form));
      const html = await res.text();
      assert.match(html, message);
      assert.match(html, new RegExp(`id="delete-older-${field}-error"`));
    }
    const everyone = await t.post("/logs/all/actions/delete-older", {
      before: today,
      confirm: "all",
    });
    assert.equal(everyone.status, 422);
    assert.equal(await count(t, "process_name = 'Intake'"), 10);

    const old = await t.post("/logs/Intake/actions/delete-older", {
      before: "2020-01-01",
      confirm: "Intake",
    });
    assert.equal(old.status, 200);
    assert.match(await old.text(), /Deleted 0 log rows of Intake older than/);
    await t.db.run(
      "UPDATE Logs SET log_time = '2020-01-01 00:00:00.000000' WHERE process_name = 'Intake'",
    );
    const cleared = await t.post("/logs/Intake/actions/delete-older", {
      before: today,
      confirm: "Intake",
    });
    assert.match(await cleared.text(), /Deleted 10 log rows of Intake older than/);
    assert.equal(await count(t, "process_name = 'Intake'"), 0);

    const audits = await t.db.query<{ log_message: string }>(
      "SELECT log_message FROM Logs WHERE process_name = 'OpenOrchestrator Web' ORDER BY log_time",
    );
    assert.match(
      audits[0].log_message,
      /^local deleted 2 log rows of process "Cleanup" \(chosen: /,
    );
    assert.equal(
      audits.at(-1)!.log_message,
      `local deleted 10 log rows of process "Intake" older than ${today}`,
    );
  } finally {
    await t.close();
  }
});

Deno.test("a long delete-older shows its progress, can be stopped, and leaves an exact trail", async () => {
  const t = await testApp();
  try {
    await t.db.run(
      `INSERT INTO Logs (id, log_time, log_level, process_name, log_message)
       WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 2500)
       SELECT lower(hex(randomblob(16))), '2020-01-01 00:00:00.000000', 'INFO', 'Big', 'row ' || i
         FROM k`,
    );
    const today = nowDbTime().slice(0, 10);
    // A robot's long write holds the lock: the delete waits, and the page shows where it stands.
    const lock = await holdWriteLock(t.path);
    try {
      const started = await t.post("/logs/Big/actions/delete-older", {
        before: today,
        confirm: "Big",
      });
      assert.equal(started.status, 200);
      const progress = await started.text();
      assert.match(progress, /Deleting old rows of Big: 0 so far/);
      assert.match(progress, /hx-post="\/logs\/Big\/actions\/delete-older\/stop"/);
      const state = await (await t.json("/logs/Big/actions/delete-older")).json();
      assert.deepEqual(state, {
        ok: true,
        running: true,
        stopping: false,
        deleted: 0,
        message: null,
      });
      const again = await t.post("/logs/Big/actions/delete-older", {
        before: today,
        confirm: "Big",
      });
      assert.equal(again.status, 409, "one delete-older at a time per process");
      // Stopped while it waits for the lock: the page says so at once and keeps watching.
      const stopping = await (await t.post("/logs/Big/actions/delete-older/stop")).text();
      assert.match(stopping, /Stopping the delete of old rows of Big after the batch under way: 0/);
      assert.doesNotMatch(stopping, /\/stop"/, "no second Stop button");
      assert.match(stopping, /hx-trigger="every 1s"/);
      const stoppingState = await (await t.json("/logs/Big/actions/delete-older")).json();
      assert.equal(stoppingState.stopping, true);
    } finally {
      await lock.release();
    }
    // Once the lock is gone it ends before its first batch, and the next look shows the result.
    let answer = "";
    for (let i = 0; i < 100 && !answer.includes("Delete old rows"); i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      answer = await (await t.get("/logs/Big/actions/delete-older")).text();
    }
    assert.match(
      answer,
      /Deleted 0 log rows of Big older than \d{4}-\d\d-\d\d \(stopped before the end\)\./,
    );
    assert.equal(await count(t, "process_name = 'Big'"), 2500);
    const trail = await t.db.query<{ log_message: string }>(
      "SELECT log_message FROM Logs WHERE process_name = 'OpenOrchestrator Web' " +
        "AND log_message LIKE '%Big%'",
    );
    assert.deepEqual(trail.map((r) => r.log_message), [
      `local deleted 0 log rows of process "Big" older than ${today} (stopped before the end)`,
    ]);
    // Shown once: the next look is the plain form.
    assert.doesNotMatch(await (await t.get("/logs/Big/actions/delete-older")).text(), /Deleted 0/);
  } finally {
    await t.close();
  }
});

Deno.test("right after a delete the list's total counts what is left, not the last poll", async () => {
  const t = await testApp();
  try {
    const path = "/logs/Case%20Intake?size=5";
    const before = await json(t, path);
    assert.ok((before.total as number) > 5, "a list longer than its page uses the poll's counts");
    const ids = before.rows.slice(0, 2).map((r) => r.id as string);
    const res = await t.post("/logs/Case%20Intake/actions/delete", { id: ids });
    assert.equal(res.status, 200);
    const after = await json(t, path);
    assert.equal(after.total, (before.total as number) - 2);
    // So does the overview, at once.
    const overview = async () =>
      ((await json(t, "/logs")).rows as { process_name: string; total: number }[])
        .find((r) => r.process_name === "Case Intake")!.total;
    assert.equal(await overview(), after.total);
    await t.db.run(
      "UPDATE Logs SET log_time = '2020-01-01 00:00:00.000000' WHERE process_name = ?",
      [
        "Case Intake",
      ],
    );
    const older = await t.post("/logs/Case%20Intake/actions/delete-older", {
      before: nowDbTime().slice(0, 10),
      confirm: "Case Intake",
    });
    assert.equal(older.status, 200);
    assert.equal(
      ((await json(t, "/logs")).rows as { process_name: string }[])
        .some((r) => r.process_name === "Case Intake"),
      false,
      "a process with no rows left leaves the overview",
    );
  } finally {
    await t.close();
  }
});
