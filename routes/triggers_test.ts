import assert from "node:assert/strict";
import { nextRuns } from "../lib/cron.ts";
import { nowDbTime, parseDbTime } from "../lib/time.ts";
import { type TestApp, testApp } from "./testing.ts";

async function count(t: TestApp, sql: string, params: string[] = []): Promise<number> {
  const [row] = await t.db.query<{ n: number }>(sql, params);
  return Number(row.n);
}

/** The id of the trigger with this name. */
async function idOf(t: TestApp, name: string): Promise<string> {
  const [row] = await t.db.query<{ id: string }>("SELECT id FROM Triggers WHERE trigger_name = ?", [
    name,
  ]);
  assert.ok(row, name);
  return row.id;
}

async function statusOf(t: TestApp, name: string): Promise<string> {
  const [row] = await t.db.query<{ s: string }>(
    "SELECT process_status AS s FROM Triggers WHERE trigger_name = ?",
    [name],
  );
  return row.s;
}

/** A date-time field value `days` from now. */
function later(days: number): string {
  const d = new Date(Date.now() + days * 86_400_000);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${
    pad(d.getMinutes())
  }`;
}

const BASE = {
  trigger_name: "Monthly report",
  process_name: "Report Distribution",
  process_path: "C:\\Robots\\report",
};

Deno.test("GET /triggers renders the page, the live fragment, and JSON", async () => {
  const t = await testApp();
  try {
    const html = await (await t.get("/triggers")).text();
    assert.match(html, /^<!DOCTYPE html>/);
    assert.match(html, /New trigger/);
    assert.match(html, /Nightly invoices/);
    const fragment = await (await t.get("/triggers", { "HX-Request": "true" })).text();
    assert.match(fragment, /^<div id="triggers-table"/);
    assert.match(fragment, /hx-trigger="oo-tick from:body"/);
    assert.match(fragment, /class="badge status tone-error">Failed</);
    assert.match(fragment, /class="badge status tone-active">Running</);

    const json = await (await t.json("/triggers?sort=priority&dir=desc")).json();
    assert.equal(json.total, 9);
    const first = json.rows[0];
    assert.equal(first.trigger_name, "Nightly invoices");
    assert.equal(first.scheduler_whitelist, '["rpa-vm-01", "rpa-vm-02"]');
    assert.equal(first.type, "SCHEDULED");
    assert.equal(first.is_blocking, true);
    assert.match(first.next_run, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    assert.match(first.id, /^[0-9a-f]{32}$/);
  } finally {
    await t.close();
  }
});

Deno.test("triggers filter by type and several statuses, search queues and paths, and sort", async () => {
  const t = await testApp();
  try {
    const names = async (query: string) =>
      (await (await t.json(`/triggers?${query}`)).json()).rows.map(
        (r: { trigger_name: string }) => r.trigger_name,
      );
    assert.deepEqual(await names("type=QUEUE"), ["Case intake", "Mail queue"]);
    assert.deepEqual(await names("status=FAILED&status=PAUSED"), [
      "Citizen letters",
      "Weekly report",
    ]);
    assert.deepEqual(await names("type=SINGLE&status=IDLE"), ["One-off cleanup"]);
    assert.deepEqual(await names("q=Mail.Outgoing"), ["Mail queue"]);
    assert.deepEqual(await names("q=PayrollExport"), ["Payroll export"]);
    assert.deepEqual((await names("sort=next_run")).slice(0, 2).sort(), [
      "Case intake",
      "Mail queue",
    ]);

    // Sort and page links keep the filters.
    const fragment = await (await t.get("/triggers?type=SCHEDULED&status=IDLE&status=FAILED", {
      "HX-Request": "true",
    })).text();
    assert.match(
      fragment,
      /href="\/triggers\?type=SCHEDULED&amp;status=IDLE&amp;status=FAILED&amp;sort=type"/,
    );

    for (
      const [query, field] of [
        ["type=queue", "type"],
        ["status=Idle", "status"],
        ["sort=process_path", "sort"],
        ["sort=trigger_name;DROP TABLE Triggers", "sort"],
        ["size=9999", "size"],
      ]
    ) {
      const res = await t.json(`/triggers?${query}`);
      assert.equal(res.status, 400, query);
      assert.ok((await res.json()).errors[field], query);
    }
  } finally {
    await t.close();
  }
});

Deno.test("creating a trigger of each type writes the exact spellings and an audit entry", async () => {
  const t = await testApp();
  try {
    const scheduled = await t.post("/triggers", {
      ...BASE,
      type: "SCHEDULED",
      cron_expr: "  30 6   1 * * ",
      is_git_repo: "on",
      git_branch: "release",
      is_blocking: "on",
      priority: "4",
      scheduler_whitelist: ["rpa-vm-02", "rpa-vm-01, new-vm", ""],
      next_run: "",
    });
    assert.equal(scheduled.status, 201);
    assert.match(await scheduled.text(), /Trigger “Monthly report” created/);
    const [row] = await t.db.query<Record<string, unknown>>(
      `SELECT t.*, s.cron_expr, s.next_run FROM Triggers t JOIN Scheduled_Triggers s ON s.id = t.id
        WHERE trigger_name = 'Monthly report'`,
    );
    assert.match(String(row.id), /^[0-9a-f]{32}$/);
    assert.equal(row.type, "SCHEDULED");
    assert.equal(row.process_status, "IDLE");
    assert.equal(row.scheduler_whitelist, '["rpa-vm-02", "rpa-vm-01", "new-vm"]');
    assert.equal(row.process_args, "");
    assert.equal(row.git_branch, "release");
    assert.equal(row.is_git_repo, 1);
    assert.equal(row.priority, 4);
    assert.equal(row.last_run, null);
    assert.equal(row.cron_expr, "30 6 1 * *");
    assert.match(String(row.next_run), /^\d{4}-\d\d-01 06:30:00\.000000$/);

    const single = await t.post("/triggers", {
      ...BASE,
      trigger_name: "Once",
      type: "SINGLE",
      next_run: later(2),
      is_blocking: ["off", "on", "off"],
    });
    assert.equal(single.status, 201);
    const [once] = await t.db.query<Record<string, unknown>>(
      `SELECT t.is_blocking, t.git_branch, t.scheduler_whitelist, s.next_run
         FROM Triggers t JOIN Single_Triggers s ON s.id = t.id WHERE trigger_name = 'Once'`,
    );
    assert.deepEqual({ ...once }, {
      is_blocking: 0, // the last of the form's values: the hidden "off" after an unticked box
      git_branch: null,
      scheduler_whitelist: "[]",
      next_run: `${later(2).replace("T", " ")}:00.000000`,
    });

    const queue = await t.post("/triggers", {
      ...BASE,
      trigger_name: "Batch",
      type: "QUEUE",
      queue_name: "Intake.Cases",
      min_batch_size: "25",
      process_args: '{"mode": "full"}',
    }, { Accept: "application/json" });
    assert.equal(queue.status, 201);
    const created = await queue.json();
    assert.match(created.id, /^[0-9a-f]{32}$/);
    assert.equal(
      await count(
        t,
        "SELECT COUNT(*) AS n FROM Queue_Triggers WHERE id = ? AND min_batch_size = 25 AND queue_name = 'Intake.Cases'",
        [created.id],
      ),
      1,
    );
    assert.equal(
      await count(
        t,
        "SELECT COUNT(*) AS n FROM Logs WHERE log_message LIKE 'local created %trigger%'",
      ),
      3,
    );
  } finally {
    await t.close();
  }
});

Deno.test("a scheduled trigger gets cronsim's first run after now as its next run", async () => {
  // Each is accepted by OpenOrchestrator's trigger form and run by its scheduler (cronsim 2.6).
  // [expression, what the day of its first run must satisfy, independently of lib/cron.ts]
  const CASES: [string, (d: Date) => boolean][] = [
    ["0 0 */2 * MON", (d) => d.getDay() === 1 && d.getDate() % 2 === 1],
    ["0 0 */10 * 7", (d) => d.getDay() === 0 && [1, 11, 21, 31].includes(d.getDate())],
    ["0 0 1-7 * */2", (d) => [0, 2, 4, 6].includes(d.getDay()) && d.getDate() <= 7],
    ["0 0 LW * *", (d) => d.getDay() >= 1 && d.getDay() <= 5 && lastWeekday(d)],
    ["0 18 * * 5L", (d) => d.getDay() === 5 && d.getDate() + 7 > daysInMonth(d)],
    ["0 0 * * 1/2", (d) => [1, 3, 5, 0].includes(d.getDay())],
  ];
  const t = await testApp();
  try {
    for (const [cron, onDay] of CASES) {
      const before = nowDbTime();
      const created = await t.post("/triggers", {
        ...BASE,
        trigger_name: cron,
        type: "SCHEDULED",
        cron_expr: cron,
        next_run: "",
      });
      assert.equal(created.status, 201, cron);
      const after = nowDbTime();
      const [{ next_run }] = await t.db.query<{ next_run: string }>(
        "SELECT s.next_run FROM Scheduled_Triggers s JOIN Triggers t ON t.id = s.id " +
          "WHERE t.trigger_name = ?",
        [cron],
      );
      const expected = [nextRuns(cron, before, 1)[0], nextRuns(cron, after, 1)[0]];
      assert.ok(expected.includes(next_run), `${cron}: ${next_run} is not one of ${expected}`);
      assert.ok(onDay(parseDbTime(next_run)), `${cron}: ${next_run} is not on its schedule`);
      assert.ok(next_run > before, `${cron}: ${next_run} is not after ${before}`);
    }
  } finally {
    await t.close();
  }
});

function daysInMonth(d: Date): number {
  return new Date(d.getFullYear(), d.getMonth() + 1, 0).getDate();
}

/** No later Monday–Friday in the month. */
function lastWeekday(d: Date): boolean {
  for (let day = d.getDate() + 1; day <= daysInMonth(d); day++) {
    const w = new Date(d.getFullYear(), d.getMonth(), day).getDay();
    if (w >= 1 && w <= 5) return false;
  }
  return true;
}

Deno.test("a stored expression the scheduler cannot read still lists and opens, with a warning", async () => {
  const t = await testApp();
  try {
    const created = await t.post("/triggers", {
      ...BASE,
      trigger_name: "Croniter era",
      type: "SCHEDULED",
      cron_expr: "0 18 * * 5L",
      next_run: "",
    });
    assert.equal(created.status, 201);
    const id = await idOf(t, "Croniter era");
    // Written before 1.3.1 (croniter's spelling), or by a script that never validated it.
    await t.db.run("UPDATE Scheduled_Triggers SET cron_expr = ? WHERE id = ?", ["0 18 * * L5", id]);

    const list = await t.get("/triggers");
    assert.equal(list.status, 200);
    const listed = await list.text();
    assert.match(listed, /Croniter era/);
    assert.match(listed, /The scheduler cannot read it/);
    const json = await t.json("/triggers?q=Croniter");
    assert.equal((await json.json()).rows[0].cron_expr, "0 18 * * L5");

    const detail = await t.get(`/triggers/${id}`);
    assert.equal(detail.status, 200);
    const html = await detail.text();
    assert.match(html, /<code>0 18 \* \* L5<\/code>/);
    assert.match(html, /The scheduler cannot read this expression/);
    assert.match(html, /day-of-week &#39;L5&#39;/);

    const edit = await t.get(`/triggers/${id}/edit`);
    assert.equal(edit.status, 200);
    assert.match(await edit.text(), /value="0 18 \* \* L5"/);
    // Saving it as it is asks for a valid expression and writes nothing.
    const saved = await t.post(`/triggers/${id}`, {
      ...BASE,
      trigger_name: "Croniter era",
      type: "SCHEDULED",
      cron_expr: "0 18 * * L5",
      next_run: "",
    });
    assert.equal(saved.status, 422);
    assert.match(await saved.text(), /id="trigger-cron_expr-error"[^>]*>[^<]*day-of-week/);
    const [{ cron_expr }] = await t.db.query<{ cron_expr: string }>(
      "SELECT cron_expr FROM Scheduled_Triggers WHERE id = ?",
      [id],
    );
    assert.equal(cron_expr, "0 18 * * L5");
  } finally {
    await t.close();
  }
});

Deno.test("bad trigger input gets 422, a message next to each field, and writes nothing", async () => {
  const t = await testApp();
  try {
    const triggers = await count(t, "SELECT COUNT(*) AS n FROM Triggers");
    const logs = await count(t, "SELECT COUNT(*) AS n FROM Logs");
    const cases: [Record<string, string | string[]>, string, RegExp][] = [
      [
        { ...BASE, type: "SCHEDULED", trigger_name: "" },
        "trigger_name",
        /Trigger name is required/,
      ],
      [
        { ...BASE, type: "SCHEDULED", trigger_name: "x".repeat(101), cron_expr: "* * * * *" },
        "trigger_name",
        /at most 100 characters/,
      ],
      [
        { ...BASE, type: "SCHEDULED", process_path: "p".repeat(251), cron_expr: "* * * * *" },
        "process_path",
        /at most 250/,
      ],
      [
        { ...BASE, type: "SCHEDULED", process_args: "a".repeat(1001), cron_expr: "* * * * *" },
        "process_args",
        /at most 1000/,
      ],
      [
        { ...BASE, type: "SCHEDULED", cron_expr: "" },
        "cron_expr",
        /Cannot parse cron expression: it is empty/,
      ],
      [
        { ...BASE, type: "SCHEDULED", cron_expr: "0 0 ? * *" },
        "cron_expr",
        /day-of-month &#39;\?&#39; is not supported/,
      ],
      [{ ...BASE, type: "SCHEDULED", cron_expr: "@daily" }, "cron_expr", /macros/],
      [
        { ...BASE, type: "SCHEDULED", cron_expr: "0 0 31 2 *" },
        "cron_expr",
        /day-of-month 31 never occurs in month/,
      ],
      // cronsim refuses these, and the scheduler would stop on them.
      [
        { ...BASE, type: "SCHEDULED", cron_expr: "0 18 * * L5" },
        "cron_expr",
        /day-of-week &#39;L5&#39;/,
      ],
      [
        { ...BASE, type: "SCHEDULED", cron_expr: "0 18 * * FRIL" },
        "cron_expr",
        /day-of-week &#39;FRIL&#39;/,
      ],
      [
        { ...BASE, type: "SCHEDULED", cron_expr: "0 0 15W * *" },
        "cron_expr",
        /day-of-month &#39;15W&#39;/,
      ],
      [
        { ...BASE, type: "SCHEDULED", cron_expr: "0 0 */30 2 1#5" },
        "cron_expr",
        /no run in the next 50 years/,
      ],
      [{ ...BASE, type: "SINGLE" }, "single-next_run", /Next run is required/],
      [{ ...BASE, type: "SINGLE", next_run: "tomorrow" }, "single-next_run", /YYYY-MM-DDTHH:MM/],
      [
        { ...BASE, type: "SINGLE", next_run: "2020-01-01T10:00" },
        "single-next_run",
        /This time has passed/,
      ],
      [
        { ...BASE, type: "QUEUE", queue_name: "Q", min_batch_size: "0" },
        "min_batch_size",
        /from 1 to/,
      ],
      [
        { ...BASE, type: "QUEUE", queue_name: "", min_batch_size: "1" },
        "queue_name",
        /Queue name is required/,
      ],
      [
        { ...BASE, type: "QUEUE", queue_name: "Q", priority: "high" },
        "priority",
        /Priority must be a whole number/,
      ],
      [
        { ...BASE, type: "QUEUE", queue_name: "Q", scheduler_whitelist: "m".repeat(101) },
        "scheduler_whitelist",
        /at most 100/,
      ],
    ];
    for (const [form, field, message] of cases) {
      const res = await t.post("/triggers", form);
      assert.equal(res.status, 422, `${field} ${message}`);
      const html = await res.text();
      assert.match(html, new RegExp(`id="trigger-${field}-error"[^>]*>[^<]*`), field);
      assert.match(html, message);
    }
    const bogus = await t.post("/triggers", { ...BASE, type: "BOGUS" }, {
      Accept: "application/json",
    });
    assert.equal(bogus.status, 422);
    assert.match((await bogus.json()).errors.type, /Type must be one of/);

    assert.equal(await count(t, "SELECT COUNT(*) AS n FROM Triggers"), triggers);
    assert.equal(await count(t, "SELECT COUNT(*) AS n FROM Logs"), logs);

    // A past time is written once confirmed.
    const past = await t.post("/triggers", {
      ...BASE,
      type: "SINGLE",
      next_run: "2020-01-01T10:00",
    });
    assert.match(await past.text(), /name="confirm_past"/);
    const confirmed = await t.post("/triggers", {
      ...BASE,
      type: "SINGLE",
      next_run: "2020-01-01T10:00",
      confirm_past: "on",
    });
    assert.equal(confirmed.status, 201);
  } finally {
    await t.close();
  }
});

Deno.test("editing keeps status, last run and type; the form shows unknown whitelist names", async () => {
  const t = await testApp();
  try {
    const id = await idOf(t, "Payroll export"); // RUNNING, scheduled
    const [before] = await t.db.query<{ last_run: string }>(
      "SELECT last_run FROM Triggers WHERE id = ?",
      [id],
    );
    await t.db.run("UPDATE Triggers SET scheduler_whitelist = ? WHERE id = ?", ['["gone-vm"]', id]);
    const edit = await (await t.get(`/triggers/${id}/edit`, { "HX-Request": "true" })).text();
    assert.match(edit, /value="gone-vm" checked/);
    assert.match(edit, /gone-vm<small class="muted">unknown<\/small>/);
    assert.match(edit, /value="30 6 1 \* \*"/);
    assert.doesNotMatch(edit, /name="type"/, "the type cannot change");

    const res = await t.post(`/triggers/${id.toUpperCase()}`, {
      ...BASE,
      trigger_name: "Payroll export",
      cron_expr: "0 5 1 * *",
      priority: "9",
      scheduler_whitelist: ["gone-vm", "rpa-vm-01"],
      next_run: "",
    }, { "OO-View": "/triggers?q=payroll" });
    assert.equal(res.status, 200);
    assert.match(
      await res.text(),
      /<div id="triggers-table"[^>]* hx-swap-oob="true"[^]*<strong>Payroll export<\/strong>/,
      "the list the page shows comes along, as it is now",
    );
    const [after] = await t.db.query<Record<string, unknown>>(
      `SELECT t.process_status, t.last_run, t.priority, t.scheduler_whitelist, s.cron_expr
         FROM Triggers t JOIN Scheduled_Triggers s ON s.id = t.id WHERE t.id = ?`,
      [id],
    );
    assert.deepEqual({ ...after }, {
      process_status: "RUNNING",
      last_run: before.last_run,
      priority: 9,
      scheduler_whitelist: '["gone-vm", "rpa-vm-01"]',
      cron_expr: "0 5 1 * *",
    });

    // A whitelist another writer stored unreadably is offered as names, never dropped.
    await t.db.run("UPDATE Triggers SET scheduler_whitelist = 'vm-a,vm-b' WHERE id = ?", [id]);
    const repaired = await (await t.get(`/triggers/${id}/edit`, { "HX-Request": "true" })).text();
    assert.match(repaired, /value="vm-a" checked/);
    assert.match(repaired, /value="vm-b" checked/);

    const typed = await t.post(`/triggers/${id}`, { ...BASE, type: "QUEUE", queue_name: "Q" });
    assert.equal(typed.status, 422);
    assert.match(await typed.text(), /The type of an existing trigger cannot change/);
    assert.equal((await t.post("/triggers/nope", BASE)).status, 404);
    assert.equal((await t.post(`/triggers/${"0".repeat(32)}`, BASE)).status, 404);
  } finally {
    await t.close();
  }
});

Deno.test("a row action brings the table as it is now; a stale status is a conflict that says so", async () => {
  const t = await testApp();
  try {
    const id = await idOf(t, "Nightly invoices"); // IDLE
    const onPage = { "OO-View": "/triggers?sort=priority&dir=desc" };
    const rowOf = (html: string) =>
      html.match(new RegExp(`<tr data-key="${id}"\\s*>[^]*?</tr>`))?.[0] ?? "";
    const pause = await t.post(`/triggers/${id}/actions/pause`, { seen_status: "IDLE" }, onPage);
    assert.equal(pause.status, 200);
    const html = await pause.text();
    assert.match(html, /<div id="triggers-table"[^>]* hx-swap-oob="true"/);
    assert.match(html, /aria-sort="descending"><a href="\/triggers\?sort=priority"/, "as sorted");
    assert.match(rowOf(html), /tone-paused">Paused</);
    assert.match(rowOf(html), />Resume</);
    assert.match(html, /Trigger “Nightly invoices” paused\.</, "said once: the badge says Paused");
    assert.equal(await statusOf(t, "Nightly invoices"), "PAUSED");

    // Someone else resumed it meanwhile: the page still showed "Paused".
    await t.db.run("UPDATE Triggers SET process_status = 'RUNNING' WHERE id = ?", [id]);
    const stale = await t.post(`/triggers/${id}/actions/resume`, { seen_status: "PAUSED" }, onPage);
    assert.equal(stale.status, 409);
    const note = rowOf(await stale.text());
    assert.match(note, /tone-active">Running</);
    assert.match(
      note,
      /Someone else changed “Nightly invoices” first: it is now Running\. Nothing was changed\./,
    );
    assert.equal(await statusOf(t, "Nightly invoices"), "RUNNING");

    // From the detail view the detail view is re-rendered, and the table comes along.
    const detail = await t.post(`/triggers/${id}/actions/pause`, { seen_status: "RUNNING" }, {
      "HX-Target": "editor",
      ...onPage,
    });
    assert.equal(detail.status, 200);
    const both = await detail.text();
    assert.match(both, /^<section id="trigger-detail"[\s\S]*Pausing/);
    assert.match(rowOf(both), /Pausing/);

    const audit = await t.db.query<{ log_message: string }>(
      "SELECT log_message FROM Logs WHERE process_name = 'OpenOrchestrator Web' ORDER BY log_time",
    );
    assert.deepEqual(audit.map((a) => a.log_message.replace(/\([0-9a-f]{32}\)/, "(id)")), [
      'local paused trigger "Nightly invoices" (id): IDLE -> PAUSED',
      'local paused trigger "Nightly invoices" (id): RUNNING -> PAUSING',
    ]);
  } finally {
    await t.close();
  }
});

Deno.test("run now, kill, reset, refused actions, and run again for a finished single", async () => {
  const t = await testApp();
  try {
    const weekly = await idOf(t, "Weekly report"); // PAUSED scheduled
    const unconfirmed = await t.post(`/triggers/${weekly}/actions/run`, { seen_status: "PAUSED" });
    assert.equal(unconfirmed.status, 409);
    assert.match(await unconfirmed.text(), /Confirm to run now: the trigger is Paused/);
    const run = await t.post(`/triggers/${weekly}/actions/run`, {
      seen_status: "PAUSED",
      confirm: "yes",
    });
    assert.equal(run.status, 200);
    const [{ next_run }] = await t.db.query<{ next_run: string }>(
      "SELECT next_run FROM Scheduled_Triggers WHERE id = ?",
      [weekly],
    );
    assert.ok(Date.now() - new Date(next_run.replace(" ", "T")).getTime() < 5000);
    assert.equal(await statusOf(t, "Weekly report"), "IDLE");

    const queue = await t.post(`/triggers/${await idOf(t, "Case intake")}/actions/run`, {
      seen_status: "IDLE",
    });
    assert.equal(queue.status, 409);
    assert.match(await queue.text(), /Cannot run a queue trigger now/);

    const payroll = await idOf(t, "Payroll export"); // RUNNING
    const kill = await t.post(`/triggers/${payroll}/actions/kill`, { seen_status: "RUNNING" }, {
      Accept: "application/json",
    });
    assert.equal(kill.status, 200);
    assert.equal((await kill.json()).trigger.process_status, "KILLING");
    const deleteRunning = await t.del(`/triggers/${payroll}?seen_status=KILLING`);
    assert.equal(deleteRunning.status, 409);
    assert.match(await deleteRunning.text(), /Cannot delete “Payroll export” while it is Killing/);

    const letters = await idOf(t, "Citizen letters"); // FAILED
    assert.equal(
      (await t.post(`/triggers/${letters}/actions/reset`, { seen_status: "FAILED" })).status,
      200,
    );
    assert.equal(await statusOf(t, "Citizen letters"), "IDLE");

    const migration = await idOf(t, "Migration run"); // single, DONE
    const form = await (await t.get(`/triggers/${migration}/again`, { "HX-Request": "true" }))
      .text();
    assert.match(form, /id="run-again-form"/);
    const past = await t.post(`/triggers/${migration}/actions/resume`, {
      seen_status: "DONE",
      next_run: "2020-01-01T00:00",
    }, { "HX-Target": "editor" });
    assert.equal(past.status, 422);
    assert.match(await past.text(), /id="again-next_run-error"[^>]*>This time has passed/);
    const again = await t.post(`/triggers/${migration}/actions/resume`, {
      seen_status: "DONE",
      next_run: later(1),
    }, { "HX-Target": "editor" });
    assert.equal(again.status, 200);
    assert.equal(await statusOf(t, "Migration run"), "IDLE");
    const [{ next_run: single }] = await t.db.query<{ next_run: string }>(
      "SELECT next_run FROM Single_Triggers WHERE id = ?",
      [migration],
    );
    assert.equal(single, `${later(1).replace("T", " ")}:00.000000`);

    assert.equal((await t.post(`/triggers/${migration}/actions/explode`, {})).status, 404);
    assert.equal((await t.post("/triggers/nope/actions/pause", {})).status, 404);
    assert.equal((await t.post(`/triggers/${"0".repeat(32)}/actions/pause`, {})).status, 404);
  } finally {
    await t.close();
  }
});

Deno.test("delete asks for the status seen, removes the trigger, and 404s the second time", async () => {
  const t = await testApp();
  try {
    const id = await idOf(t, "One-off cleanup");
    const stale = await t.del(`/triggers/${id}?seen_status=PAUSED`);
    assert.equal(stale.status, 409);
    const res = await t.del(`/triggers/${id}?seen_status=IDLE`, { "OO-View": "/triggers" });
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /<div id="triggers-table"[^>]* hx-swap-oob="true"/);
    assert.doesNotMatch(html, new RegExp(`data-key="${id}"`), "the deleted row is gone");
    assert.equal(await count(t, "SELECT COUNT(*) AS n FROM Triggers WHERE id = ?", [id]), 0);
    assert.equal(await count(t, "SELECT COUNT(*) AS n FROM Single_Triggers WHERE id = ?", [id]), 0);
    assert.equal((await t.del(`/triggers/${id}`)).status, 404);
  } finally {
    await t.close();
  }
});

Deno.test("on a 2.0.x database kill is neither offered nor written", async () => {
  const t = await testApp({ from: "2.0" });
  try {
    const id = await idOf(t, "Nightly invoices");
    await t.db.run("UPDATE Triggers SET process_status = 'RUNNING' WHERE id = ?", [id]);
    const html = await (await t.get("/triggers")).text();
    assert.match(html, /Payroll|Nightly invoices/);
    assert.doesNotMatch(html, /\/kill"/);
    assert.doesNotMatch(html, /Killing|Killed/, "no filter for statuses this revision lacks");
    const kill = await t.post(`/triggers/${id}/actions/kill`, { seen_status: "RUNNING" });
    assert.equal(kill.status, 409);
    assert.match(await kill.text(), /has no KILLING status/);
    assert.equal(await statusOf(t, "Nightly invoices"), "RUNNING");
    // The 2.0.x queue trigger's whitelist is the text 'null': any machine.
    const detail =
      await (await t.get(`/triggers/${await idOf(t, "Case intake")}`, { "HX-Request": "true" }))
        .text();
    assert.match(detail, /any machine/);
    assert.doesNotMatch(detail, /git_branch|Git branch/);
  } finally {
    await t.close();
  }
});

Deno.test("GET /triggers/cron previews a cron expression as a fragment or JSON", async () => {
  const t = await testApp();
  try {
    const json = await t.json("/triggers/cron?expr=0+9+*+*+MON-FRI&from=2026-03-06T10:00");
    assert.equal(json.status, 200);
    assert.deepEqual(await json.json(), {
      next: [
        "2026-03-09T09:00:00",
        "2026-03-10T09:00:00",
        "2026-03-11T09:00:00",
        "2026-03-12T09:00:00",
        "2026-03-13T09:00:00",
      ],
      description: "At 09:00, Monday through Friday",
    });
    const bad = await t.json("/triggers/cron?expr=0+0+*+*+*+*");
    assert.equal(bad.status, 422);
    assert.deepEqual(await bad.json(), {
      errors: {
        expr: "Cannot parse cron expression: expected 5 fields (minute hour day-of-month month " +
          "day-of-week), got 6 (a seconds field is not supported)",
      },
    });
    assert.equal((await t.json("/triggers/cron?expr=")).status, 422);
    const badFrom = await t.json("/triggers/cron?expr=*+*+*+*+*&from=soon");
    assert.equal(badFrom.status, 422);
    assert.match((await badFrom.json()).errors.from, /Cannot read from/);

    const fragment = await t.get("/triggers/cron?cron_expr=0+0+L+*+*&from=2026-02-01T00:00", {
      "HX-Request": "true",
    });
    const html = await fragment.text();
    assert.match(html, /last day of the month/);
    assert.match(html, /2026-02-28 00:00:00/);
    const invalid = await t.get("/triggers/cron?cron_expr=0+0+W+*+*", { "HX-Request": "true" });
    assert.equal(invalid.status, 422);
    assert.match(
      await invalid.text(),
      /class="field-error">Cannot parse cron expression: day-of-month &#39;W&#39;: &#39;W&#39; is supported only as &#39;LW&#39;/,
    );
  } finally {
    await t.close();
  }
});

Deno.test("the detail view, escaping, and what a viewer may do", async () => {
  const env = {
    OO_AUTH: "header",
    OO_AUTH_HEADER: "X-Remote-User",
    OO_ADMINS: "alice",
    OO_VIEWERS: "bob",
  };
  const t = await testApp({ env });
  const alice = { "X-Remote-User": "alice" };
  const bob = { "X-Remote-User": "bob" };
  try {
    const evil = `<script>alert("x")</script>' onmouseover='alert(1)`;
    const created = await t.post("/triggers", {
      ...BASE,
      trigger_name: evil,
      type: "QUEUE",
      queue_name: `<b>q</b>`,
      min_batch_size: "1",
      scheduler_whitelist: `<img src=x>`,
    }, alice);
    assert.equal(created.status, 201);
    const id = await idOf(t, evil);
    for (const path of ["/triggers", `/triggers/${id}`]) {
      const html = await (await t.get(path, alice)).text();
      assert.ok(!html.includes("<script>alert"), path);
      assert.ok(!html.includes("<b>q</b>") && !html.includes("<img src=x>"), path);
      assert.match(html, /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt;/);
    }
    const page = await (await t.get(`/triggers/${id}`, alice)).text();
    assert.match(page, /^<!DOCTYPE html>/);
    assert.match(page, /&larr; All triggers/);

    const list = await (await t.get("/triggers", bob)).text();
    assert.doesNotMatch(list, /New trigger|hx-post|hx-delete/);
    const detail = await (await t.get(`/triggers/${id}`, bob)).text();
    assert.doesNotMatch(detail, /hx-post|hx-delete|\/edit/);
    for (
      const res of [
        await t.post(`/triggers/${id}/actions/pause`, { seen_status: "IDLE" }, bob),
        await t.post(`/triggers/${id}`, BASE, bob),
        await t.post("/triggers", BASE, bob),
        await t.del(`/triggers/${id}`, bob),
        await t.get("/triggers/new", bob),
        await t.get(`/triggers/${id}/edit`, bob),
      ]
    ) {
      assert.equal(res.status, 403);
    }
    assert.equal(await statusOf(t, evil), "IDLE");
    assert.equal((await t.get("/triggers/nope", alice)).status, 404);
  } finally {
    await t.close();
  }
});

Deno.test("an edit keeps the next run the scheduler set meanwhile, and a new cron moves it", async () => {
  const t = await testApp();
  try {
    const id = await idOf(t, "Nightly invoices");
    const nextRun = async () =>
      (await t.db.query<{ next_run: string }>(
        "SELECT next_run FROM Scheduled_Triggers WHERE id = ?",
        [
          id,
        ],
      ))[0].next_run;
    const shown = (await nextRun()).slice(0, 16).replace(" ", "T");
    const form = {
      ...BASE,
      trigger_name: "Nightly invoices",
      cron_expr: "0 2 * * MON-FRI",
      next_run: shown,
      previous_next_run: shown,
      is_blocking: "on",
    };
    // The scheduler starts the trigger while the form is open and moves its next run on.
    await t.db.run("UPDATE Scheduled_Triggers SET next_run = ? WHERE id = ?", [
      "2031-01-06 02:00:00.000000",
      id,
    ]);
    assert.equal((await t.post(`/triggers/${id}`, { ...form, priority: "7" })).status, 200);
    assert.equal(await nextRun(), "2031-01-06 02:00:00.000000", "the old time is not written back");

    assert.equal(
      (await t.post(`/triggers/${id}`, { ...form, cron_expr: "30 6 1 * *" })).status,
      200,
    );
    assert.match(await nextRun(), /^\d{4}-\d\d-01 06:30:00\.000000$/, "the new cron's first run");
    assert.notEqual(await nextRun(), "2031-01-06 02:00:00.000000");

    const single = await idOf(t, "One-off cleanup");
    const [{ next_run: before }] = await t.db.query<{ next_run: string }>(
      "SELECT next_run FROM Single_Triggers WHERE id = ?",
      [single],
    );
    const kept = before.slice(0, 16).replace(" ", "T");
    const res = await t.post(`/triggers/${single}`, {
      ...BASE,
      trigger_name: "One-off cleanup",
      next_run: kept,
      previous_next_run: kept,
    });
    assert.equal(res.status, 200);
    const [{ next_run: after }] = await t.db.query<{ next_run: string }>(
      "SELECT next_run FROM Single_Triggers WHERE id = ?",
      [single],
    );
    assert.equal(after, before, "seconds and fractions are kept too");
  } finally {
    await t.close();
  }
});

Deno.test("a script that leaves out blocking and priority gets the defaults, or keeps them on edit", async () => {
  const t = await testApp();
  try {
    const created = await t.post("/triggers", { ...BASE, type: "SINGLE", next_run: later(1) });
    assert.equal(created.status, 201);
    const row = async () =>
      (await t.db.query<{ is_blocking: number; priority: number }>(
        "SELECT is_blocking, priority FROM Triggers WHERE trigger_name = ?",
        [BASE.trigger_name],
      ))[0];
    assert.deepEqual({ ...await row() }, { is_blocking: 1, priority: 0 });
    const id = await idOf(t, BASE.trigger_name);
    await t.db.run("UPDATE Triggers SET is_blocking = 0, priority = 4 WHERE id = ?", [id]);
    const edited = await t.post(`/triggers/${id}`, {
      ...BASE,
      next_run: later(1),
      process_args: "  --fast ",
    });
    assert.equal(edited.status, 200);
    assert.deepEqual({ ...await row() }, { is_blocking: 0, priority: 4 });
    const [{ process_args }] = await t.db.query<{ process_args: string }>(
      "SELECT process_args FROM Triggers WHERE id = ?",
      [id],
    );
    assert.equal(process_args, "  --fast ", "arguments are passed on as written");
  } finally {
    await t.close();
  }
});

Deno.test("an action with a repeated seen_status is refused, not run unchecked", async () => {
  const t = await testApp();
  try {
    const id = await idOf(t, "Payroll export");
    const res = await t.post(`/triggers/${id}/actions/pause`, { seen_status: ["IDLE", "RUNNING"] });
    assert.equal(res.status, 400);
    assert.equal(await statusOf(t, "Payroll export"), "RUNNING");
  } finally {
    await t.close();
  }
});

Deno.test("wording: a single trigger can run as soon as possible; messages and hints say what they mean", async () => {
  const t = await testApp();
  try {
    const form = await (await t.get("/triggers/new", { "HX-Request": "true" })).text();
    assert.match(form, /name="asap" value="on"/);
    assert.match(form, /As soon as possible/);

    const before = nowDbTime().slice(0, 16);
    const asap = await t.post("/triggers", {
      ...BASE,
      trigger_name: "Right away",
      type: "SINGLE",
      asap: "on",
    });
    assert.equal(asap.status, 201);
    const [row] = await t.db.query<{ next_run: string }>(
      `SELECT s.next_run FROM Triggers t JOIN Single_Triggers s ON s.id = t.id
        WHERE trigger_name = 'Right away'`,
    );
    assert.ok(row.next_run.slice(0, 16) >= before && row.next_run <= nowDbTime(), row.next_run);
    const missing = await t.post("/triggers", { ...BASE, trigger_name: "When?", type: "SINGLE" });
    assert.equal(missing.status, 422);
    assert.match(await missing.text(), /a date and time, or “As soon as possible”/);

    const id = await idOf(t, "Weekly report");
    const resumed = await t.post(`/triggers/${id}/actions/resume`, { seen_status: "PAUSED" });
    const text = await resumed.text();
    assert.match(text, /Trigger “Weekly report” resumed: it is idle until its next run\./);
    assert.doesNotMatch(text, /: Idle\./);

    const credentials = await (await t.get("/credentials")).text();
    assert.match(credentials, /0&ndash;15 bytes long</);
    assert.doesNotMatch(credentials, /or fewer/);
  } finally {
    await t.close();
  }
});

Deno.test("a next run off its cron schedule is flagged; a trigger links to its process's logs and errors", async () => {
  const t = await testApp();
  try {
    const id = await idOf(t, "Nightly invoices");
    const detail = async () => await (await t.get(`/triggers/${id}`)).text();
    const onTime = await detail();
    assert.doesNotMatch(onTime, /not on its cron schedule/, "the demo writes what cron gives");
    assert.match(onTime, /href="\/logs\/Invoice%20Processing">Logs of Invoice Processing</);
    assert.match(
      onTime,
      /href="\/logs\/Invoice%20Processing\?level=ERROR&amp;from=\d{4}-\d\d-\d\dT\d\d%3A\d\d">Errors of Invoice Processing since its last run</,
    );

    // Run now writes the current time: not a time of "0 2 * * MON-FRI" (unless it is 02:00).
    await t.db.run("UPDATE Scheduled_Triggers SET next_run = ? WHERE id = ?", [
      "2026-11-24 13:17:00.000000",
      id,
    ]);
    const moved = await detail();
    assert.match(moved, /not on its cron schedule/);
    assert.match(moved, /the scheduler runs it then once, and follows the expression after it/);
    const list = await (await t.get("/triggers")).text();
    assert.equal((list.match(/not on its cron schedule/g) ?? []).length, 1);
  } finally {
    await t.close();
  }
});
