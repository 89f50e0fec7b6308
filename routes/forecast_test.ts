import assert from "node:assert/strict";
import { DatabaseUnavailableError } from "../db/connection.ts";
import { detect } from "../db/schema.ts";
import { tempDatabase } from "../db/testing.ts";
import { loadConfig } from "../lib/config.ts";
import { Poller } from "../lib/poller.ts";
import { createApp } from "./app.tsx";
import { nextRuns } from "../lib/cron.ts";
import { formatDbTime, jsonTime } from "../lib/time.ts";
import { type TestApp, testApp } from "./testing.ts";

type Row = {
  id: string;
  trigger_name: string;
  runs: string[];
  run_count: number;
  due_now: boolean;
  skipped: string | null;
  never_runs: { name: string; state: string }[] | null;
  queue: { name: string; waiting: number; batch: number } | null;
  usual_seconds: number | null;
  collisions: number;
};
type Collision = {
  at: string;
  machines: string[];
  certain: boolean;
  triggers: { trigger_name: string; wait_seconds: number | null }[];
};

/** A blocking trigger at 03:00 every day on the one online machine (form fields). */
const BLOCKING_AT_3 = {
  cron_expr: "0 3 * * *",
  is_blocking: "on",
  scheduler_whitelist: "rpa-vm-01",
};

/** Creates a scheduled trigger through the form, as an admin would. */
async function scheduled(t: TestApp, name: string, fields: Record<string, string | string[]>) {
  const response = await t.post("/triggers", {
    type: "SCHEDULED",
    trigger_name: name,
    process_name: name,
    process_path: "C:\\Robots\\r.py",
    next_run: "",
    ...fields,
  });
  assert.equal(response.status, 201, await response.text());
}

async function forecastJson(t: TestApp, path: string) {
  const response = await t.json(path);
  assert.equal(response.status, 200);
  const body = await response.json();
  const rows = new Map<string, Row>(
    body.groups.flatMap((g: { rows: Row[] }) => g.rows).map((r: Row) => [r.trigger_name, r]),
  );
  return { body, rows, collisions: body.collisions as Collision[] };
}

Deno.test("GET /triggers/forecast: runs, collisions, never-running, skipped and due triggers", async () => {
  const t = await testApp();
  try {
    await scheduled(t, "Early invoices", { ...BLOCKING_AT_3, priority: "2" });
    await scheduled(t, "Early letters", BLOCKING_AT_3);
    await scheduled(t, "Old machine job", {
      cron_expr: "0 4 * * *",
      scheduler_whitelist: "rpa-vm-03",
    });

    const { body, rows, collisions } = await forecastJson(t, "/triggers/forecast?window=7d");
    assert.equal(body.window, "7d");
    assert.match(body.now, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);

    // The runs are the stored next run, then lib/cron's runs after it.
    const early = rows.get("Early invoices")!;
    const [stored] = await t.db.query<{ next_run: string }>(
      "SELECT next_run FROM Scheduled_Triggers WHERE id = ?",
      [early.id],
    );
    assert.deepEqual(
      early.runs,
      [stored.next_run, ...nextRuns("0 3 * * *", stored.next_run, 6)].map(jsonTime),
    );
    assert.equal(early.run_count, 7);

    // Two blocking triggers due at 03:00 on their one machine: the higher priority goes first.
    const at3 = collisions.filter((c) => c.at.endsWith("T03:00:00"));
    assert.equal(at3.length, 7);
    assert.deepEqual(at3[0].machines, ["rpa-vm-01"]);
    assert.equal(at3[0].certain, true);
    assert.deepEqual(at3[0].triggers.map((x) => [x.trigger_name, x.wait_seconds]), [
      ["Early invoices", 0],
      ["Early letters", null],
    ]);
    assert.equal(rows.get("Early letters")!.collisions, 7);

    assert.deepEqual(rows.get("Old machine job")!.never_runs, [
      { name: "rpa-vm-03", state: "offline" },
    ]);
    // The demo's weekly report (Mondays 07:00) is paused; its case-intake queue holds a batch.
    assert.equal(rows.get("Weekly report")!.skipped, "paused");
    assert.equal(rows.get("Weekly report")!.run_count, 1);
    const intake = rows.get("Case intake")!;
    assert.equal(intake.due_now, true);
    assert.equal(intake.queue!.batch, 5);
    assert.ok(intake.queue!.waiting >= 5);
    // A finished single trigger has nothing in the window.
    assert.equal(rows.has("Migration run"), false);

    // The page: every run links to its trigger; the lists name the flagged triggers.
    const html = await (await t.get("/triggers/forecast?window=7d")).text();
    assert.match(html, /^<!DOCTYPE html>/);
    assert.match(html, /Collisions \(7\)/);
    assert.match(html, /Never run \(1\)/);
    assert.match(html, /Early letters<\/a><small class="muted"> \(blocking\)<\/small> waits \(/);
    assert.match(html, /rpa-vm-03 \(offline\)/);
    for (const row of rows.values()) {
      assert.match(html, new RegExp(`<a class="fc-track fc-7d" href="/triggers/${row.id}"`));
    }
    assert.match(html, /<strong class="chip" aria-current="true">the next 7 days<\/strong>/);
    const fragment = await (await t.get("/triggers/forecast", { "HX-Request": "true" })).text();
    assert.match(fragment, /^<div id="forecast">/);
    assert.match(fragment, /href="\/triggers\/forecast\?window=7d"/);

    // Linked from the Triggers page and the dashboard.
    for (const page of ["/triggers", "/dashboard"]) {
      assert.match(await (await t.get(page)).text(), /href="\/triggers\/forecast"/);
    }
  } finally {
    await t.close();
  }
});

Deno.test("GET /triggers/forecast refuses an unknown window with 400", async () => {
  const t = await testApp();
  try {
    const json = await t.json("/triggers/forecast?window=30d");
    assert.equal(json.status, 400);
    assert.deepEqual(await json.json(), {
      errors: { window: "Cannot show the window 30d: choose 24h or 7d." },
    });
    const page = await t.get("/triggers/forecast?window=%3Cb%3E");
    assert.equal(page.status, 400);
    assert.match(await page.text(), /Cannot show the window &lt;b&gt;/);
  } finally {
    await t.close();
  }
});

Deno.test("with a Jobs table, waits come from the processes' usual run times", async () => {
  const t = await testApp();
  try {
    await scheduled(t, "First", { ...BLOCKING_AT_3, priority: "2" });
    await scheduled(t, "Second", BLOCKING_AT_3);
    // The Jobs table of the feature/job_log line (revision 1c87ed320c78).
    await t.db.run(`CREATE TABLE "Jobs" (id CHAR(32) NOT NULL PRIMARY KEY,
      process_name VARCHAR(100) NOT NULL, scheduler_name VARCHAR(100) NOT NULL,
      status VARCHAR(7) NOT NULL, start_time DATETIME NOT NULL, end_time DATETIME)`);
    await detect(t.db);
    const at = (minutesAgo: number) => formatDbTime(new Date(Date.now() - minutesAgo * 60_000));
    const jobs: [string, string, number, number][] = [
      ["First", "DONE", 100, 90], // 10 min
      ["First", "DONE", 60, 48], // 12 min
      ["First", "DONE", 30, 22], // 8 min
      ["First", "FAILED", 20, 0], // not a usual run
      ["Second", "RUNNING", 5, -1],
    ];
    for (const [i, [process, status, start, end]] of jobs.entries()) {
      await t.db.run("INSERT INTO Jobs VALUES (?, ?, 'rpa-vm-01', ?, ?, ?)", [
        `${i}`.padStart(32, "0"),
        process,
        status,
        at(start),
        end < 0 ? null : at(end),
      ]);
    }
    const { rows, collisions } = await forecastJson(t, "/triggers/forecast");
    assert.equal(rows.get("First")!.usual_seconds, 600);
    assert.equal(rows.get("Second")!.usual_seconds, null);
    assert.deepEqual(collisions[0].triggers.map((x) => x.wait_seconds), [0, 600]);
    const html = await (await t.get("/triggers/forecast")).text();
    assert.match(html, /Second<\/a><small class="muted"> \(blocking\)<\/small> waits up to 10 min/);
    assert.match(html, /1 run, usually 10 min/);
  } finally {
    await t.close();
  }
});

Deno.test("the forecast is computed once a poller round: repeats come from memory", async () => {
  const temp = await tempDatabase({ seed: true });
  try {
    const config = loadConfig({ OpenOrchestratorSQL: `sqlite:///${temp.path}` });
    const poller = new Poller(temp.db, { outage: null }, { intervalMs: 1000 });
    const app = createApp({ db: temp.db, config, poller });
    const get = (accept = "text/html") =>
      app.request("http://localhost/triggers/forecast?window=7d", {
        headers: { "HX-Request": "true", Accept: accept },
      });
    await poller.tick();
    const html = await (await get()).text();
    const json = await (await get("application/json")).text();
    assert.match(html, /Weekly report/);
    // Not read again within the round, even while the database is gone.
    const query = temp.db.query;
    temp.db.query = () => Promise.reject(new DatabaseUnavailableError("gone"));
    assert.equal(await (await get()).text(), html);
    assert.equal(await (await get("application/json")).text(), json);
    temp.db.query = query;

    // The next round reads again and sees the change.
    await temp.db.run(
      "DELETE FROM Scheduled_Triggers WHERE id IN " +
        "(SELECT id FROM Triggers WHERE trigger_name = 'Weekly report')",
    );
    await temp.db.run("DELETE FROM Triggers WHERE trigger_name = 'Weekly report'");
    assert.match(await (await get()).text(), /Weekly report/);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await poller.tick();
    assert.doesNotMatch(await (await get()).text(), /Weekly report/);
  } finally {
    await temp.close();
  }
});

Deno.test("the forecast's view and JSON go gzipped to a client that accepts it, the same text inside", async () => {
  const t = await testApp();
  try {
    await t.poller.tick();
    const get = (accept: string, encoding = "identity") =>
      t.get("/triggers/forecast?window=7d", {
        "HX-Request": "true",
        Accept: accept,
        "Accept-Encoding": encoding,
      });
    for (const accept of ["text/html", "application/json"]) {
      const plain = await get(accept);
      assert.equal(plain.headers.get("Content-Encoding"), null);
      const text = await plain.text();
      const zipped = await get(accept, "gzip, br");
      assert.equal(zipped.headers.get("Content-Encoding"), "gzip");
      assert.equal(zipped.headers.get("Content-Type"), plain.headers.get("Content-Type"));
      assert.match(zipped.headers.get("Vary") ?? "", /Accept-Encoding/);
      const bytes = new Uint8Array(await zipped.arrayBuffer());
      assert.ok(bytes.length * 3 < text.length, `${bytes.length} bytes of ${text.length}`);
      const unzipped = new Response(
        new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip")),
      );
      assert.equal(await unzipped.text(), text);
    }
    assert.match((await get("text/html")).headers.get("Content-Type") ?? "", /^text\/html/);
    assert.equal((await get("application/json")).headers.get("Content-Type"), "application/json");
  } finally {
    await t.close();
  }
});
