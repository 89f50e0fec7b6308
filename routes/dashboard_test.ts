import assert from "node:assert/strict";
import { gunzipSync } from "node:zlib";
import { DatabaseUnavailableError, type Db } from "../db/connection.ts";
import { insertLog, tempDatabase } from "../db/testing.ts";
import { DEMO_KEY, loadConfig } from "../lib/config.ts";
import { Poller } from "../lib/poller.ts";
import { nowDbTime, parseDbTime } from "../lib/time.ts";
import { createApp } from "./app.tsx";
import { testApp } from "./testing.ts";

Deno.test("/ opens the dashboard; it links every item to its filtered view, and each answers", async () => {
  const t = await testApp();
  try {
    const home = await t.get("/");
    assert.equal(home.status, 302);
    assert.equal(home.headers.get("Location"), "/dashboard");
    const page = await (await t.get("/dashboard")).text();
    assert.match(page, /<a class="brand" href="\/dashboard">/);
    assert.match(page, /Error logs: <span class="dash-count">\d+/);
    assert.match(page, /<svg role="group" aria-labelledby="chart-title chart-desc"/);
    assert.match(page, /<desc id="chart-desc">(?:\w{3} \d{1,2}: [\d,]+ done, [\d,]+ failed; ){6}/);
    const links = [...page.matchAll(/<main id="main">[\s\S]*<\/main>/g)][0][0]
      .matchAll(/href="([^"]+)"/g);
    const hrefs = [...new Set([...links].map((m) => m[1].replaceAll("&amp;", "&")))];
    assert.ok(
      hrefs.some((h) => /^\/logs\/[^/?]+\?level=ERROR&from=\d{4}-\d\d-\d\dT\d\d:\d\d$/.test(h)),
    );
    assert.ok(hrefs.some((h) => /^\/queues\/[^/?]+\?status=FAILED&date=ended&from=/.test(h)));
    assert.ok(hrefs.some((h) => /^\/triggers\/[0-9a-f]{32}$/.test(h)));
    assert.ok(hrefs.includes("/triggers?status=FAILED&status=KILLED"));
    assert.ok(hrefs.includes("/schedulers"));
    // Every card links to its full list, the failed elements and overdue triggers too.
    assert.ok(hrefs.includes("/queues?sort=failed&dir=desc"));
    assert.ok(hrefs.includes("/triggers?status=IDLE&sort=next_run"));
    assert.equal(
      [...page.matchAll(/<section class="card dash-item[^"]*"/g)].length,
      [...page.matchAll(/<p class="more">/g)].length,
      "a link under every card",
    );
    for (const href of hrefs) {
      const res = await t.get(href);
      assert.equal(res.status, 200, href);
      await res.body?.cancel();
    }

    // The counts match what the links show.
    const dashboard = await (await t.json("/dashboard")).json();
    assert.ok(dashboard.failed_elements.length > 0 && dashboard.error_logs.length > 0);
    for (const group of dashboard.failed_elements) {
      const body = await (await t.json(
        `/queues/${encodeURIComponent(group.name)}?status=FAILED&date=ended&from=${
          dashboard.since.slice(0, 16)
        }`,
      )).json();
      assert.equal(body.total, group.count, group.name);
    }
    for (const group of dashboard.error_logs) {
      const body = await (await t.json(
        `/logs/${encodeURIComponent(group.name)}?level=ERROR&from=${dashboard.since.slice(0, 16)}`,
      )).json();
      assert.equal(body.total, group.count, group.name);
    }

    const fragment = await (await t.get("/dashboard", { "HX-Request": "true" })).text();
    assert.match(
      fragment,
      /^<div id="dashboard" hx-get="\/dashboard" hx-trigger="oo-tick from:body"/,
    );
  } finally {
    await t.close();
  }
});

function goAway(db: Db): () => void {
  const { query, run } = db;
  const gone = () =>
    Promise.reject(new DatabaseUnavailableError("The database cannot be reached: gone"));
  db.query = gone;
  db.run = gone;
  return () => {
    db.query = query;
    db.run = run;
  };
}

Deno.test("the poller keeps the last aggregates through an outage, the pages show them with the banner, and recover", async () => {
  const t = await tempDatabase({ seed: true });
  try {
    const health = { outage: null as string | null };
    const poller = new Poller(t.db, health, { intervalMs: 1000 });
    const config = loadConfig({ OpenOrchestratorKey: DEMO_KEY });
    const app = createApp({ db: t.db, config, poller, peerOf: () => "127.0.0.1" });
    const get = (path: string, headers: Record<string, string> = {}) =>
      app.request(`http://localhost${path}`, { headers });
    const logTotal = async () =>
      ((await (await get("/logs", { Accept: "application/json" })).json()).rows as {
        total: number;
      }[])
        .reduce((n, r) => n + r.total, 0);

    assert.equal(await poller.tick(), true);
    const { queues, logs, dashboard } = poller.snapshot;
    assert.ok(queues && logs && dashboard);
    assert.equal(await logTotal(), 1500);

    // New rows are counted by the next round, without counting everything again.
    await insertLog(t.db, {
      log_time: nowDbTime(),
      log_level: "ERROR",
      process_name: "New",
      log_message: "x",
    });
    assert.equal(await poller.tick(), true);
    assert.equal(await logTotal(), 1501);
    assert.equal(poller.snapshot.logs!.recountedAt, logs.recountedAt);

    const restore = goAway(t.db);
    assert.equal(await poller.tick(), false);
    assert.equal(health.outage, "The database cannot be reached: gone");
    assert.equal(
      poller.snapshot.queues!.rows.length,
      queues.rows.length,
      "the last aggregates stay",
    );
    for (const path of ["/queues", "/logs", "/dashboard"]) {
      const res = await get(path);
      assert.equal(res.status, 200, path);
      const html = await res.text();
      assert.match(html, /id="db-banner" class="banner banner-error"/, path);
    }
    assert.match(await (await get("/queues")).text(), /Intake\.Cases/);
    const live = await get("/queues/Intake.Cases");
    assert.equal(live.status, 503, "a live list needs the database");
    await live.body?.cancel();

    restore();
    assert.equal(await poller.tick(), true);
    assert.equal(health.outage, null);
    const back = await get("/queues/Intake.Cases");
    assert.equal(back.status, 200);
    assert.doesNotMatch(await back.text(), /banner-error/);

    // Deleting logs asks for a full recount on the next round.
    await t.db.run("DELETE FROM Logs WHERE process_name = 'New'");
    await poller.invalidate({ part: "logs", process: null });
    assert.equal(await poller.tick(), true);
    assert.equal(await logTotal(), 1500);
  } finally {
    await t.close();
  }
});

Deno.test("the dashboard fragment is rendered once a round: repeats come from memory, with an ETag", async () => {
  const temp = await tempDatabase({ seed: true });
  try {
    const config = loadConfig({ OpenOrchestratorSQL: `sqlite:///${temp.path}` });
    const poller = new Poller(temp.db, { outage: null }, { intervalMs: 1000 });
    const app = createApp({ db: temp.db, config, poller });
    const get = (headers: Record<string, string> = {}) =>
      app.request("http://localhost/dashboard", { headers: { "HX-Request": "true", ...headers } });
    await poller.tick();
    const first = await get();
    const etag = first.headers.get("ETag")!;
    assert.match(etag, /^"\d+"$/);
    assert.equal(first.headers.get("Cache-Control"), "no-cache");
    const html = await first.text();
    // Rendering is not repeated: the same bytes, even while the database is gone.
    const query = temp.db.query;
    temp.db.query = () => Promise.reject(new DatabaseUnavailableError("gone"));
    const again = await get();
    assert.equal(again.headers.get("ETag"), etag);
    assert.equal(await again.text(), html);
    const unchanged = await get({ "If-None-Match": etag });
    assert.equal(unchanged.status, 304);
    assert.equal(await unchanged.text(), "");
    assert.equal(unchanged.headers.get("Vary"), first.headers.get("Vary"), "as the 200 varies");
    // A browser that takes gzip gets the same bytes compressed, with the same ETag.
    const zipped = await get({ "Accept-Encoding": "gzip, deflate, br" });
    assert.equal(zipped.headers.get("Content-Encoding"), "gzip");
    assert.equal(zipped.headers.get("ETag"), etag);
    assert.match(zipped.headers.get("Vary") ?? "", /Accept-Encoding/);
    assert.match(zipped.headers.get("Content-Type") ?? "", /^text\/html/);
    const bytes = new Uint8Array(await zipped.arrayBuffer());
    assert.ok(bytes.length < html.length / 3, `${bytes.length} bytes for ${html.length}`);
    assert.equal(new TextDecoder().decode(gunzipSync(bytes)), html);
    temp.db.query = query;

    // A new round is a new fragment.
    await new Promise((resolve) => setTimeout(resolve, 5));
    await poller.tick();
    const next = await get({ "If-None-Match": etag });
    assert.equal(next.status, 200);
    assert.notEqual(next.headers.get("ETag"), etag);
    await next.body?.cancel();
  } finally {
    await temp.close();
  }
});

Deno.test("the dashboard's window is chosen in the URL: 24 h, since the last working day, 7 days", async () => {
  const t = await testApp();
  try {
    const since = async (query: string) =>
      (await (await t.json(`/dashboard${query}`)).json()).since as string;
    const now = Date.now();
    const hoursBack = (time: string) => (now - parseDbTime(time).getTime()) / 3_600_000;
    assert.ok(Math.abs(hoursBack(await since("?window=24h")) - 24) < 0.1);
    assert.ok(Math.abs(hoursBack(await since("?window=7d")) - 168) < 0.1);
    assert.equal(await since(""), await since("?window=workday"));
    assert.match(await since(""), /T00:00:00$/, "the working day starts at midnight");

    const page = await (await t.get("/dashboard?window=7d")).text();
    assert.match(page, /<strong class="chip" aria-current="true">the last 7 days<\/strong>/);
    assert.match(page, /<a class="chip" href="\/dashboard\?window=24h">the last 24 hours<\/a>/);
    assert.match(
      page,
      /<div id="dashboard" hx-get="\/dashboard\?window=7d"/,
      "the refresh keeps it",
    );
    const bad = await t.json("/dashboard?window=forever");
    assert.equal(bad.status, 400);
    assert.match((await bad.json()).errors.window, /Cannot show the window forever/);
  } finally {
    await t.close();
  }
});

Deno.test("a chart bar opens the elements it counts: that day's done or failed, in every queue", async () => {
  const t = await testApp();
  try {
    const page = await (await t.get("/dashboard")).text();
    const bars = [
      ...page.matchAll(
        /<a href="([^"]+)" aria-label="\w{3} \d{1,2}: ([\d,]+) (done|failed): show them">/g,
      ),
    ].map(([, href, n, status]) => ({
      href: href.replaceAll("&amp;", "&"),
      count: Number(n.replaceAll(",", "")),
      status: status.toUpperCase(),
    }));
    assert.equal(bars.length, 14, "two bars a day for seven days");
    assert.ok(bars.some((b) => b.count > 0), "the demo has done or failed elements");
    for (const bar of bars) {
      const match = decodeURIComponent(bar.href).match(
        /^\/queues\/all\?status=(DONE|FAILED)&date=ended&from=(\d{4}-\d\d-\d\d)T00:00&to=\2T23:59$/,
      );
      assert.ok(match, bar.href);
      assert.equal(match[1], bar.status);
      const list = await t.json(`${bar.href}&size=500`);
      assert.equal(list.status, 200, bar.href);
      const body = await list.json();
      assert.equal(body.total, bar.count, `${bar.href}: the list has the bar's count`);
      assert.equal(body.rows.length, Math.min(bar.count, 500));
      for (const row of body.rows) {
        assert.equal(row.status, bar.status);
        assert.equal(row.end_date.slice(0, 10), match[2]);
      }
      const html = await (await t.get(bar.href)).text();
      assert.match(html, /<h1>Elements of every queue<\/h1>/);
      assert.match(
        html,
        new RegExp(`<input type="checkbox" name="status" value="${bar.status}" checked`),
      );
    }
  } finally {
    await t.close();
  }
});
