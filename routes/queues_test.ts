import assert from "node:assert/strict";
import { time } from "../db/connection.ts";
import { formatDbTime, nowDbTime } from "../lib/time.ts";
import { type TestApp, testApp } from "./testing.ts";

type Json = Record<string, unknown> & { rows: Record<string, unknown>[] };

async function json(t: TestApp, path: string): Promise<Json> {
  const res = await t.json(path);
  assert.equal(res.status, 200, path);
  return await res.json();
}

async function statusOf(t: TestApp, id: string): Promise<string> {
  const [row] = await t.db.query<{ status: string }>("SELECT status FROM Queues WHERE id = ?", [
    id,
  ]);
  return row?.status ?? "gone";
}

async function idsOf(t: TestApp, status: string, queue = "Intake.Cases"): Promise<string[]> {
  const rows = await t.db.query<{ id: string }>(
    "SELECT id FROM Queues WHERE queue_name = ? AND status = ? ORDER BY created_date",
    [queue, status],
  );
  return rows.map((r) => r.id);
}

async function audits(t: TestApp): Promise<string[]> {
  const rows = await t.db.query<{ log_message: string }>(
    "SELECT log_message FROM Logs WHERE process_name = 'OpenOrchestrator Web' ORDER BY log_time",
  );
  return rows.map((r) => r.log_message);
}

/** Makes an element's robot start now, so the test does not depend on the fixture's age. */
async function startedNow(t: TestApp, id: string): Promise<void> {
  await t.db.run("UPDATE Queues SET start_date = ? WHERE id = ?", [time(nowDbTime()), id]);
}

Deno.test("GET /queues lists every queue with counts, triggers, search, sort; page, fragment, JSON", async () => {
  const t = await testApp({ from: "develop" });
  try {
    const body = await json(t, "/queues");
    assert.equal(body.total, 1);
    const [row] = body.rows;
    assert.equal(row.queue_name, "Intake.Cases");
    assert.deepEqual(
      [row.new, row.in_progress, row.done, row.failed, row.abandoned, row.total],
      [5, 4, 8, 4, 4, 25],
    );
    assert.match(row.oldest_new as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    assert.deepEqual(
      (row.triggers as { trigger_name: string; process_status: string }[]).map((
        t,
      ) => [t.trigger_name, t.process_status]),
      [["Case intake", "FAILED"]],
    );

    const page = await (await t.get("/queues")).text();
    assert.match(page, /^<!DOCTYPE html>/);
    assert.match(page, /href="\/queues\/Intake\.Cases\?status=FAILED"/);
    const fragment = await (await t.get("/queues", { "HX-Request": "true" })).text();
    assert.match(fragment, /^<div id="queues-table"/);
    assert.match(fragment, /oo-tick from:body/, "the counts refresh on the live tick");

    const demo = await testApp();
    try {
      const sorted = await json(demo, "/queues?sort=failed&dir=desc");
      const failed = sorted.rows.map((r) => r.failed as number);
      assert.deepEqual(failed, [...failed].sort((a, b) => b - a));
      assert.equal((await json(demo, "/queues?q=mail")).total, 1);
      assert.equal((await json(demo, "/queues?q=case%20intake")).total, 1, "trigger names match");
      assert.equal((await demo.json("/queues?sort=bogus")).status, 400);
      assert.equal((await demo.json("/queues?size=100000")).status, 400);
    } finally {
      await demo.close();
    }
  } finally {
    await t.close();
  }
});

Deno.test("the queue list is made once while the snapshot stays the same, again after a change", async () => {
  const t = await testApp({ from: "develop" });
  const newCount = async (headers: Record<string, string>) => {
    const text = await (await t.get("/queues", headers)).text();
    return /status=NEW"[^>]*>(\d+)</.exec(text)?.[1];
  };
  const fragment = { "HX-Request": "true" };
  try {
    assert.equal(await newCount(fragment), "5");
    // A snapshot changed without telling the poller is not seen: the list made before is kept.
    t.poller.snapshot.queues!.rows[0].counts.NEW = 99;
    assert.equal(await newCount(fragment), "5");
    assert.equal(await newCount({}), "99", "the page is a body of its own, made now");
    assert.equal((await json(t, "/queues")).rows[0].new, 99, "so is the JSON");
    // A change reads the queue again: every kind is made again from what it read.
    await t.db.run(
      `INSERT INTO Queues (id, queue_name, status, data, reference, created_date, created_by)
        VALUES (?, 'Intake.Cases', 'NEW', '{}', 'KEPT-1', ?, 'test')`,
      ["0123456789abcdef0123456789abcdef", time(nowDbTime())],
    );
    await t.poller.invalidate({ part: "queues", queue: "Intake.Cases" });
    assert.equal(await newCount(fragment), "6");
    assert.equal(await newCount({}), "6");
    assert.equal((await json(t, "/queues")).rows[0].new, 6);
    // So does a round.
    t.poller.snapshot.queues!.rows[0].counts.NEW = 99;
    await t.poller.tick();
    assert.equal(await newCount(fragment), "6");
  } finally {
    await t.close();
  }
});

Deno.test("GET /queues/:name filters by status, search and dates, pages by cursor, and answers JSON", async () => {
  const t = await testApp({ from: "develop" });
  try {
    const all = await json(t, "/queues/Intake.Cases?size=10");
    assert.equal(all.total, 25);
    assert.equal(all.total_capped, false);
    assert.equal(all.rows.length, 10);
    assert.deepEqual(Object.keys(all.rows[0]).sort(), [
      "created_by",
      "created_date",
      "data",
      "end_date",
      "id",
      "message",
      "queue_name",
      "reference",
      "start_date",
      "status",
    ]);
    assert.match(all.rows[0].created_date as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    assert.equal(all.rows[0].reference, "CASE-0024", "newest first");
    const seen = all.rows.map((r) => r.reference);
    let next = all.next as string | null;
    while (next) {
      const more = await json(t, `/queues/Intake.Cases?size=10&after=${encodeURIComponent(next)}`);
      seen.push(...more.rows.map((r) => r.reference));
      next = more.next as string | null;
    }
    assert.equal(new Set(seen).size, 25);
    assert.deepEqual(seen, [...seen].sort().reverse());

    const failed = await json(t, "/queues/Intake.Cases?status=FAILED&status=ABANDONED");
    assert.equal(failed.total, 8);
    assert.ok(failed.rows.every((r) => r.status === "FAILED" || r.status === "ABANDONED"));
    const search = await json(t, "/queues/Intake.Cases?q=CASE-001");
    assert.equal(search.total, 10);
    const byMessage = await json(t, "/queues/Intake.Cases?q=set%20to%20FAILED");
    assert.equal(byMessage.total, 4);
    const oldest = await json(t, "/queues/Intake.Cases?dir=asc&size=1");
    assert.equal(oldest.rows[0].reference, "CASE-0000");
    const none = await json(t, "/queues/Intake.Cases?from=2000-01-01T00:00&to=2000-01-02T00:00");
    assert.deepEqual([none.total, none.rows.length, none.next], [0, 0, null]);
    const created = (all.rows.at(-1)!.created_date as string).slice(0, 16);
    const range = await json(t, `/queues/Intake.Cases?from=${created}&to=${created}`);
    assert.equal(range.total, 25, "`to` takes in its whole minute");

    const html = await (await t.get("/queues/Intake.Cases?status=FAILED")).text();
    assert.match(html, /<h1>Intake\.Cases<\/h1>/);
    assert.match(html, /name="status" value="FAILED" checked/);
    assert.match(html, /href="\/triggers\/[0-9a-f]{32}">Case intake/);
    const fragment = await (await t.get("/queues/Intake.Cases?size=10", { "HX-Request": "true" }))
      .text();
    assert.match(
      fragment,
      /^<div id="elements-table" class="table-wrap" data-url="\/queues\/Intake\.Cases\?size=10"/,
    );
    assert.match(fragment, /rel="next"/);
  } finally {
    await t.close();
  }
});

Deno.test("bad queue filters are refused with 400 and a message next to the field", async () => {
  const t = await testApp({ from: "develop" });
  try {
    const cases: [string, string, RegExp][] = [
      ["from=yesterday", "from", /From must be a date and time/],
      ["from=2026-02-30T10:00", "from", /From must be a date and time/],
      ["to=2026-01-01", "to", /To must be a date and time/],
      ["from=2026-02-01T10:00&to=2026-01-01T10:00", "to", /To must not be before From/],
      ["status=BROKEN", "status", /Unknown status 'BROKEN'/],
      ["status=failed", "status", /Unknown status 'failed'/],
      ["size=100000", "size", /from 1 to 500/],
      ["size=0", "size", /from 1 to 500/],
      ["after=garbage", "after", /cursor cannot be read/],
      ["date=sometime", "date", /created or ended/],
      [`q=${"x".repeat(201)}`, "q", /at most 200/],
    ];
    for (const [query, field, message] of cases) {
      const res = await t.json(`/queues/Intake.Cases?${query}`);
      assert.equal(res.status, 400, query);
      const body = await res.json();
      assert.match(body.errors[field], message, query);

      const page = await t.get(`/queues/Intake.Cases?${query}`);
      assert.equal(page.status, 400, query);
      const html = await page.text();
      if (["from", "to", "status", "q", "date"].includes(field)) {
        assert.match(html, new RegExp(`id="elements-table-${field}-error"`), query);
      }
      const fragment = await t.get(`/queues/Intake.Cases?${query}`, { "HX-Request": "true" });
      assert.equal(fragment.status, 400);
      assert.match(await fragment.text(), /^<div id="elements-table"/);
    }
  } finally {
    await t.close();
  }
});

Deno.test("the element view shows the data pretty-printed, durations, and the logs of its run", async () => {
  const t = await testApp({ from: "develop" });
  try {
    const [id] = await idsOf(t, "IN_PROGRESS");
    await startedNow(t, id);
    const res = await t.get(`/queues/Intake.Cases/elements/${id.toUpperCase()}`);
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /<pre class="card wrap data">\{\n {2}&quot;case&quot;: 0,/);
    assert.match(html, /Ærø Østergård/, "JSON escapes are shown as the characters");
    assert.match(html, /after waiting \d+ (ms|s|min|h|days?)\b/);
    assert.match(html, /href="\/logs\/Intake\?from=\d{4}-\d\d-\d\dT\d\d%3A\d\d&amp;to=/);
    assert.match(html, /A robot is working on it/);
    const data = await json(t, `/queues/Intake.Cases/elements/${id}`);
    assert.equal(data.id, id);
    assert.equal(data.status, "IN_PROGRESS");
    for (
      const path of [
        "/queues/Intake.Cases/elements/not-an-id",
        `/queues/Other/elements/${id}`,
        "/queues/Intake.Cases/elements/00000000000040008000000000000000",
      ]
    ) {
      assert.equal((await t.get(path)).status, 404, path);
    }
  } finally {
    await t.close();
  }
});

Deno.test("an element's logs links are for its last run, say which, and are gone after a retry", async () => {
  const t = await testApp({ from: "develop" });
  try {
    const [id] = await idsOf(t, "FAILED");
    await t.db.run("UPDATE Queues SET start_date = ?, end_date = ? WHERE id = ?", [
      time("2026-11-20 08:17:44.000000"),
      time("2026-11-20 08:19:02.500000"),
      id,
    ]);
    const page = async () => await (await t.get(`/queues/Intake.Cases/elements/${id}`)).text();
    const html = await page();
    assert.match(
      html,
      /href="\/logs\/Intake\?from=2026-11-20T08%3A16&amp;to=2026-11-20T08%3A20">Logs of Intake during this run/,
    );
    assert.match(
      html,
      /For the run from 2026-11-20 08:17:44 to 2026-11-20 08:19:02, with a minute/,
    );
    assert.doesNotMatch(html, /\/logs\/all/);

    await t.post("/queues/Intake.Cases/actions/retry", { id });
    const retried = await page();
    assert.doesNotMatch(retried, /during this run/, "no run: no window up to now");
    assert.match(retried, /It has not run since it was created or retried\./);
  } finally {
    await t.close();
  }
});

Deno.test("adding an element checks the input, writes it as NEW by the current user, and audits", async () => {
  const t = await testApp({ from: "develop" });
  try {
    const form = await t.get("/queues/Intake.Cases/elements/new", { "HX-Request": "true" });
    assert.match(await form.text(), /New element in Intake\.Cases/);
    const res = await t.post("/queues/Intake.Cases/elements", {
      reference: " CASE-9 ",
      data: '{"case": 9}',
    }, { "OO-View": "/queues/Intake.Cases" });
    assert.equal(res.status, 201);
    assert.match(await res.text(), /<div id="elements-table"[^>]* hx-swap-oob="true"[^]*>CASE-9</);
    const [row] = await t.db.query<
      { id: string; status: string; created_by: string; reference: string; data: string }
    >("SELECT id, status, created_by, reference, data FROM Queues WHERE reference = 'CASE-9'");
    assert.deepEqual([row.status, row.created_by, row.data], ["NEW", "local", '{"case": 9}']);
    assert.match(row.id, /^[0-9a-f]{32}$/, "ids as the Python side writes them");
    assert.deepEqual(
      (await audits(t)).at(-1),
      'local added element "CASE-9" to queue "Intake.Cases"',
    );
    assert.equal((await t.post("/queues/New.Queue/elements", { data: "plain text" })).status, 201);

    const before = await t.db.query("SELECT id FROM Queues");
    const bad: [Record<string, string>, string, RegExp][] = [
      [{ reference: "r", data: '{"case": ' }, "data", /looks like JSON but cannot be read/],
      [{ reference: "r", data: "[1, 2" }, "data", /looks like JSON/],
      [{ reference: "r", data: "x".repeat(2001) }, "data", /at most 2000 characters/],
      [{ reference: "r".repeat(101), data: "" }, "reference", /at most 100 characters/],
    ];
    for (const [body, field, message] of bad) {
      const res = await t.post("/queues/Intake.Cases/elements", body);
      assert.equal(res.status, 422, field);
      const html = await res.text();
      assert.match(html, new RegExp(`id="element-${field}-error"[^>]*>[^<]*`));
      assert.match(html, message);
    }
    assert.equal((await t.db.query("SELECT id FROM Queues")).length, before.length);
  } finally {
    await t.close();
  }
});

Deno.test("retry, abandon and delete on chosen elements: compare-and-set, reported and audited", async () => {
  const t = await testApp({ from: "develop" });
  try {
    const [failed, failed2] = await idsOf(t, "FAILED");
    const [done] = await idsOf(t, "DONE");
    const [working] = await idsOf(t, "IN_PROGRESS");
    await startedNow(t, working);
    const [fresh] = await idsOf(t, "NEW");
    const res = await t.post("/queues/Intake.Cases/actions/retry", { id: [failed, done, working] });
    assert.equal(res.status, 200);
    assert.match(
      await res.text(),
      /Retried 1 element\. Left alone: 1 done \(confirm to retry\), 1 in progress\./,
    );
    assert.equal(await statusOf(t, failed), "NEW");
    const [reset] = await t.db.query<{ start_date: string | null; end_date: string | null }>(
      "SELECT start_date, end_date FROM Queues WHERE id = ?",
      [failed],
    );
    assert.deepEqual({ ...reset }, { start_date: null, end_date: null });
    assert.equal(await statusOf(t, working), "IN_PROGRESS", "a robot's element is never reset");

    const confirmed = await t.post("/queues/Intake.Cases/actions/retry", { id: done, done: "1" });
    assert.equal(confirmed.status, 200);
    assert.equal(await statusOf(t, done), "NEW");

    // The robot's element started minutes ago: even "stuck" confirmed, it is left alone.
    const notStuck = await t.post("/queues/Intake.Cases/actions/retry", {
      id: working,
      stuck: "1",
    });
    assert.equal(notStuck.status, 409);
    assert.match(await notStuck.text(), /Retried 0 elements\. Left alone: 1 in progress\./);
    // Over JSON too: a conflict is 409 with the body every error has.
    const notStuckJson = await t.post(
      "/queues/Intake.Cases/actions/retry",
      { id: working, stuck: "1" },
      { Accept: "application/json" },
    );
    assert.equal(notStuckJson.status, 409);
    const conflict = await notStuckJson.json();
    assert.equal(conflict.errors._form, "Retried 0 elements. Left alone: 1 in progress.");
    assert.equal(conflict.changed, 0);
    await t.db.run("UPDATE Queues SET start_date = ? WHERE id = ?", [
      formatDbTime(new Date(Date.now() - 3 * 3_600_000)),
      working,
    ]);
    assert.equal((await t.post("/queues/Intake.Cases/actions/retry", { id: working })).status, 409);
    assert.equal(
      (await t.post("/queues/Intake.Cases/actions/retry", { id: working, stuck: "1" })).status,
      200,
    );
    assert.equal(await statusOf(t, working), "NEW");

    const abandon = await t.post("/queues/Intake.Cases/actions/abandon", { id: [fresh, failed2] });
    assert.match(await abandon.text(), /Abandoned 2 elements\./);
    assert.equal(await statusOf(t, fresh), "ABANDONED");
    const remove = await t.post("/queues/Intake.Cases/actions/delete", { id: [fresh] });
    assert.match(await remove.text(), /Deleted 1 element\./);
    assert.equal(await statusOf(t, fresh), "gone");
    const again = await t.post("/queues/Intake.Cases/actions/delete", { id: [fresh] });
    assert.equal(again.status, 409);
    assert.match(await again.text(), /1 no longer exists/);

    const scripted = await t.app.request("http://localhost/queues/Intake.Cases/actions/abandon", {
      method: "POST",
      body: new URLSearchParams({ id: failed }),
      headers: { "HX-Request": "true", Accept: "application/json" },
    });
    const result = await scripted.json();
    assert.deepEqual([result.changed, result.skipped], [1, {}]);

    const log = await audits(t);
    assert.equal(log.length, 6, "one entry per action that changed something");
    assert.match(log[0], /^local retried 1 element of queue "Intake.Cases": "CASE-0003"$/);
  } finally {
    await t.close();
  }
});

Deno.test("acting on everything matching: the count first, then compare-and-set with it", async () => {
  const t = await testApp({ from: "develop" });
  try {
    const preview = await t.get("/queues/Intake.Cases/actions/retry?all=1&status=FAILED", {
      "HX-Request": "true",
    });
    assert.equal(preview.status, 200);
    const html = await preview.text();
    assert.match(html, /Retry <strong>4 elements<\/strong> of Intake\.Cases/);
    assert.match(html, /name="expected" value="4"/);
    assert.match(html, /name="status" value="FAILED"/);
    assert.equal(
      (await (await t.json("/queues/Intake.Cases/actions/retry?all=1")).json()).count,
      8,
    );
    assert.equal(
      (await (await t.json("/queues/Intake.Cases/actions/abandon?all=1&q=CASE-002")).json()).count,
      5,
    );

    // Someone retried one of them meanwhile.
    const [first] = await idsOf(t, "FAILED");
    await t.db.run("UPDATE Queues SET status = 'NEW' WHERE id = ?", [first]);
    const res = await t.post("/queues/Intake.Cases/actions/retry", {
      all: "1",
      status: "FAILED",
      expected: "4",
    });
    assert.equal(res.status, 200);
    assert.match(
      await res.text(),
      /Retried 3 elements\. Left alone: 1 changed by someone else first\./,
    );
    assert.deepEqual(await idsOf(t, "FAILED"), []);
    assert.equal((await idsOf(t, "ABANDONED")).length, 4, "the filter kept abandoned ones out");
    assert.match(
      (await audits(t)).at(-1)!,
      /^local retried 3 elements of queue "Intake.Cases": matching status FAILED$/,
    );
  } finally {
    await t.close();
  }
});

Deno.test("more matching than confirmed: 409 with the new count, nothing changed, asked again", async () => {
  const t = await testApp({ from: "develop" });
  try {
    const before = JSON.stringify(await t.db.query("SELECT id, status FROM Queues ORDER BY id"));
    const form = { all: "1", status: "FAILED", expected: "3" };
    const res = await t.post("/queues/Intake.Cases/actions/delete", form);
    assert.equal(res.status, 409);
    const html = await res.text();
    assert.match(html, /Nothing was changed: 4 elements match now, more than the 3 you confirmed/);
    assert.match(html, /name="expected" value="4"/, "asks again with the new count");
    assert.match(html, /Delete 4 elements<\/button>/);
    const json = await t.post("/queues/Intake.Cases/actions/delete", form, {
      Accept: "application/json",
    });
    assert.equal(json.status, 409);
    const body = await json.json();
    assert.equal(body.count, 4);
    assert.match(body.errors.expected, /4 elements match now/);
    assert.equal(
      JSON.stringify(await t.db.query("SELECT id, status FROM Queues ORDER BY id")),
      before,
    );
    assert.deepEqual(await audits(t), []);
  } finally {
    await t.close();
  }
});

Deno.test("after a change the counts are true at once: in the answer, the list and the overview", async () => {
  const t = await testApp({ from: "develop" });
  try {
    const failedCount = async () =>
      ((await json(t, "/queues")).rows.find((r) => r.queue_name === "Intake.Cases")!).failed;
    assert.equal(await failedCount(), 4, "the snapshot is filled");
    const [a, b] = await idsOf(t, "FAILED");
    const res = await t.post("/queues/Intake.Cases/actions/retry", { id: [a, b] }, {
      "OO-View": "/queues/Intake.Cases?status=FAILED",
    });
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /Retried 2 elements\./);
    // The list the page shows comes along as it is now: the retried elements left the filter.
    const table = html.match(/<div id="elements-table"[^>]*hx-swap-oob="true"[^]*?<\/nav>/)?.[0];
    assert.match(table ?? "", /2 shown of 2/);
    assert.doesNotMatch(table ?? "", new RegExp(`value="${a}"`));
    const counts = html.match(/<p id="queue-counts"[^>]*hx-swap-oob="true"[^]*?<\/p>/)?.[0] ?? "";
    assert.match(
      counts,
      /aria-current="true"><span class="badge status tone-error">Failed<\/span> 2</,
    );
    assert.equal(await failedCount(), 2, "the overview");
    const list = await json(t, "/queues/Intake.Cases?status=FAILED");
    assert.equal(list.total, 2, "the list's total");
    assert.equal(list.rows.length, 2);

    const added = await t.post("/queues/Intake.Cases/elements", { reference: "ONE-MORE" }, {
      "OO-View": "/queues/Intake.Cases",
    });
    assert.equal(added.status, 201);
    assert.match(await added.text(), /<span class="chip">Total 26<\/span>/);

    // A robot adds one behind the app's back: a list that fits on one page counts its rows.
    await t.db.run(
      "INSERT INTO Queues (id, queue_name, status, created_date) VALUES (?, 'Intake.Cases', 'FAILED', ?)",
      [crypto.randomUUID().replaceAll("-", ""), time(nowDbTime())],
    );
    const fresh = await json(t, "/queues/Intake.Cases?status=FAILED");
    assert.equal(fresh.rows.length, 3);
    assert.equal(fresh.total, 3, "the total equals the rows when they fit on one page");
  } finally {
    await t.close();
  }
});

Deno.test("after a change the dashboard's failed elements are read again", async () => {
  const t = await testApp();
  try {
    await t.db.run(
      "UPDATE Queues SET end_date = ? WHERE queue_name = 'Intake.Cases' AND status = 'FAILED'",
      [time(nowDbTime())],
    );
    const failed = await idsOf(t, "FAILED");
    assert.ok(failed.length >= 2);
    const onDashboard = async () =>
      ((await (await t.json("/dashboard")).json()).failed_elements as {
        name: string;
        count: number;
      }[]).find((g) => g.name === "Intake.Cases")?.count ?? 0;
    assert.equal(await onDashboard(), failed.length);
    await t.post("/queues/Intake.Cases/actions/retry", { id: failed.slice(0, 2) });
    assert.equal(await onDashboard(), failed.length - 2);
  } finally {
    await t.close();
  }
});

Deno.test("bad queue actions are refused and write nothing; viewers cannot act", async () => {
  const t = await testApp({ from: "develop" });
  try {
    const before = JSON.stringify(await t.db.query("SELECT id, status FROM Queues ORDER BY id"));
    const cases: [string, Record<string, string | string[]>, number, RegExp][] = [
      ["retry", {}, 400, /Choose at least one element/],
      ["retry", { id: "not-a-uuid" }, 400, /not a UUID/],
      ["retry", { id: Array.from({ length: 501 }, () => crypto.randomUUID()) }, 400, /at most 500/],
      ["retry", { all: "1", status: "NOPE" }, 400, /Unknown status/],
      ["retry", { all: "1", from: "2026-13-01T00:00" }, 400, /From must be/],
      [
        "retry",
        { all: "1", from: "2026-02-01T00:00", to: "2026-01-01T00:00" },
        400,
        /not be before/,
      ],
      ["retry", { all: "1", expected: "lots" }, 400, /Expected must be a count/],
      ["delete", { all: "1" }, 400, /without the count you confirmed/],
      ["explode", { id: crypto.randomUUID() }, 404, /no queue action explode/],
    ];
    for (const [action, form, status, message] of cases) {
      const res = await t.post(`/queues/Intake.Cases/actions/${action}`, form);
      assert.equal(res.status, status, `${action} ${JSON.stringify(form).slice(0, 60)}`);
      assert.match(await res.text(), message);
    }
    assert.equal((await t.get("/queues/Intake.Cases/actions/retry")).status, 400);
    assert.equal(
      JSON.stringify(await t.db.query("SELECT id, status FROM Queues ORDER BY id")),
      before,
    );
    assert.deepEqual(await audits(t), []);
  } finally {
    await t.close();
  }
  const env = {
    OO_AUTH: "header",
    OO_AUTH_HEADER: "X-Remote-User",
    OO_ADMINS: "alice",
    OO_VIEWERS: "bob",
  };
  const v = await testApp({ from: "develop", env });
  try {
    const bob = { "X-Remote-User": "bob" };
    const page = await (await v.get("/queues/Intake.Cases", bob)).text();
    assert.doesNotMatch(page, /elements-actions/);
    assert.doesNotMatch(page, /Add element/);
    const [failed] = await idsOf(v, "FAILED");
    assert.equal(
      (await v.post("/queues/Intake.Cases/actions/retry", { id: failed }, bob)).status,
      403,
    );
    assert.equal((await v.post("/queues/Intake.Cases/elements", { data: "x" }, bob)).status, 403);
    assert.equal(await statusOf(v, failed), "FAILED");
  } finally {
    await v.close();
  }
});

Deno.test("element text is escaped everywhere it is shown", async () => {
  const t = await testApp({ from: "develop" });
  try {
    const evil = `<script>alert("x")</script>' onmouseover='alert(1)`;
    await t.post("/queues/Intake.Cases/elements", { reference: evil.slice(0, 100), data: evil });
    const [row] = await t.db.query<{ id: string }>("SELECT id FROM Queues WHERE data = ?", [evil]);
    for (const path of ["/queues/Intake.Cases", `/queues/Intake.Cases/elements/${row.id}`]) {
      const html = await (await t.get(path)).text();
      assert.ok(!html.includes("<script>alert"), path);
      assert.match(html, /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt;/, path);
    }
    const odd = await t.get(`/queues/${encodeURIComponent('<b>"q"</b>')}`);
    assert.equal(odd.status, 200);
    assert.match(await odd.text(), /<h1>&lt;b&gt;&quot;q&quot;&lt;\/b&gt;<\/h1>/);
  } finally {
    await t.close();
  }
});
