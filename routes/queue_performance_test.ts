import assert from "node:assert/strict";
import { formatDbTime } from "../lib/time.ts";
import { testApp } from "./testing.ts";
import { insertElement } from "../db/testing.ts";

type Row = {
  day: string;
  done: number;
  failed: number;
  ended: number;
  arrived: number;
  median_ms: number | null;
  p95_ms: number | null;
};
type Perf = {
  queue: string;
  days: number;
  oldest_new: string | null;
  oldest_new_age_seconds: number | null;
  arrived: number;
  ended: number;
  backlog_change: number;
  rows: Row[];
};

const start = Date.now();
const ago = (ms: number) => formatDbTime(new Date(start - ms));

Deno.test("GET /queues/:name/performance: per day as JSON, page and fragment, links to each day's list", async () => {
  const t = await testApp({ seed: false });
  try {
    // Done a moment ago in 3 s; failed a day earlier in 2 min; a new one waiting for an hour.
    const doneEnd = ago(2000);
    const done = await insertElement(t.db, {
      queue_name: "Q",
      status: "DONE",
      created_date: ago(60_000),
      start_date: ago(5000),
      end_date: doneEnd,
    });
    const failedEnd = ago(86_400_000);
    const failed = await insertElement(t.db, {
      queue_name: "Q",
      status: "FAILED",
      created_date: ago(86_400_000 + 300_000),
      start_date: ago(86_400_000 + 120_000),
      end_date: failedEnd,
    });
    const waiting = ago(3_600_000);
    await insertElement(t.db, { queue_name: "Q", status: "NEW", created_date: waiting });

    const res = await t.json("/queues/Q/performance");
    assert.equal(res.status, 200);
    const perf: Perf = await res.json();
    assert.equal(perf.queue, "Q");
    assert.equal(perf.days, 7);
    assert.equal(perf.rows.length, 7);
    const of = (end: string) => perf.rows.find((r) => r.day === end.slice(0, 10))!;
    assert.deepEqual(
      [of(doneEnd).done, of(doneEnd).median_ms, of(doneEnd).p95_ms],
      [1, 3000, 3000],
    );
    assert.deepEqual([of(failedEnd).failed, of(failedEnd).median_ms], [1, 120_000]);
    assert.deepEqual([perf.arrived, perf.ended, perf.backlog_change], [3, 2, 1]);
    assert.equal(perf.oldest_new, `${waiting.slice(0, 10)}T${waiting.slice(11, 19)}`);
    assert.ok(Math.abs(perf.oldest_new_age_seconds! - 3600) < 60, `${perf.oldest_new_age_seconds}`);
    const month: Perf = await (await t.json("/queues/Q/performance?days=30")).json();
    assert.equal(month.rows.length, 30);
    assert.deepEqual(month.rows.slice(-7), perf.rows);

    const page = await (await t.get("/queues/Q/performance")).text();
    assert.match(page, /^<!DOCTYPE html>/);
    assert.match(page, /<h1>Q: performance<\/h1>/);
    assert.match(page, /The backlog is growing: 3 arrived and 2 ended in these 7 days/);
    assert.match(page, /href="\/queues\/Q\/performance\?days=30"/);
    // The done bar of today links to today's done elements by end date, which hold this one.
    const day = doneEnd.slice(0, 10);
    const link =
      `/queues/Q?status=DONE&amp;date=ended&amp;from=${day}T00%3A00&amp;to=${day}T23%3A59`;
    assert.ok(page.includes(`href="${link}"`), "the done bar links to the day's list");
    const listed = await (await t.json(link.replaceAll("&amp;", "&"))).json();
    assert.deepEqual(listed.rows.map((r: { id: string }) => r.id), [done]);

    const fragment = await (await t.get("/queues/Q/performance", { "HX-Request": "true" })).text();
    assert.match(fragment, /^<section id="queue-performance"/);
    const queuePage = await (await t.get("/queues/Q")).text();
    assert.match(queuePage, /hx-get="\/queues\/Q\/performance" hx-trigger="load"/);

    // A retry through the app is seen at once, though the day before today is otherwise kept.
    assert.equal((await t.post("/queues/Q/actions/retry", { id: failed })).status, 200);
    const after: Perf = await (await t.json("/queues/Q/performance")).json();
    assert.equal(after.rows.find((r) => r.day === failedEnd.slice(0, 10))!.failed, 0);
  } finally {
    await t.close();
  }
});

Deno.test("GET /queues/:name/performance refuses a span it does not offer", async () => {
  const t = await testApp({ seed: false });
  try {
    const res = await t.json("/queues/Q/performance?days=5");
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), {
      errors: { days: "Cannot show 5 days: choose 7 or 30." },
    });
    const page = await t.get("/queues/Q/performance?days=%3Cb%3E");
    assert.equal(page.status, 400);
    assert.match(await page.text(), /Cannot show &lt;b&gt; days/);
  } finally {
    await t.close();
  }
});

Deno.test("a queue's performance reads today alone once its history is kept (by a view or a round); a change drops it", async () => {
  const t = await testApp({ seed: false });
  try {
    const done = (ms: number) => ({
      queue_name: "Q",
      status: "DONE",
      created_date: ago(ms + 60_000),
      start_date: ago(ms + 5000),
      end_date: ago(ms),
    });
    await insertElement(t.db, done(3 * 86_400_000));
    await insertElement(t.db, done(2000));
    const waiting = await insertElement(t.db, {
      queue_name: "Q",
      status: "NEW",
      created_date: ago(1000),
    });
    // A read of days ranks their processing times: count those reads (the days before today in
    // one, today in another).
    const query = t.db.query;
    let reads = 0;
    t.db.query = (sql, params, options) => {
      if (sql.includes("ROW_NUMBER")) reads++;
      return query(sql, params, options);
    };
    const view = async (done = 2) => {
      const before = reads;
      const res = await t.json("/queues/Q/performance?days=30");
      assert.equal(res.status, 200);
      const body: Perf = await res.json();
      assert.equal(body.rows.reduce((n, r) => n + r.done, 0), done);
      return reads - before;
    };
    // Before any round: the first views read the days before today once, and keep them.
    await Promise.all([view(), view(), view()]);
    assert.equal(reads, 4, "the days before today once, today thrice");
    assert.equal(await view(), 1, "today alone");

    const abandoned = await t.post("/queues/Q/actions/abandon", { id: waiting });
    assert.equal(abandoned.status, 200);
    assert.deepEqual(
      Object.keys(t.poller.snapshot.history ?? {}),
      [],
      "a change drops the queue's history",
    );
    await t.poller.tick(); // the first round brings what pages show at once, no history
    assert.deepEqual(Object.keys(t.poller.snapshot.history ?? {}), []);
    await t.poller.tick();
    assert.deepEqual(Object.keys(t.poller.snapshot.history ?? {}), ["Q"]);
    assert.equal(await view(), 1, "the round read it: today alone");
    // Today is read once a round: the views of a round share it; a round or a change reads it.
    assert.equal(await view(), 0, "today as the round read it for its first view");
    await insertElement(t.db, done(1000));
    await t.poller.tick();
    const before = reads;
    const latest = await Promise.all([1, 2, 3].map(async () => {
      const res = await t.json("/queues/Q/performance");
      return ((await res.json()) as Perf).rows.at(-1)!.done;
    }));
    assert.equal(reads - before, 1, "a new round: today once for all its views");
    assert.deepEqual(latest, [2, 2, 2], "with the element done since the last round");
    const other = await insertElement(t.db, {
      queue_name: "Q",
      status: "NEW",
      created_date: ago(1),
    });
    assert.equal((await t.post("/queues/Q/actions/abandon", { id: other })).status, 200);
    assert.equal(await view(3), 2, "a change to the queue: its history and today read again");
  } finally {
    await t.close();
  }
});
