import assert from "node:assert/strict";
import { insertElement, insertLog, insertTimedTrigger, tempDatabase } from "../db/testing.ts";
import { DEMO_KEY, loadConfig } from "../lib/config.ts";
import { Poller } from "../lib/poller.ts";
import { formatDbTime } from "../lib/time.ts";
import { createApp } from "./app.tsx";
import { testApp } from "./testing.ts";

const TOKEN = "s3cret-metrics-token-0123";

Deno.test("GET /metrics serves the poller's snapshot in the Prometheus format, with no query on read", async () => {
  const temp = await tempDatabase();
  try {
    const now = Date.now();
    const ago = (minutes: number) => formatDbTime(new Date(now - minutes * 60_000));
    await insertElement(temp.db, {
      queue_name: 'Invoices "EU"',
      status: "NEW",
      created_date: ago(90),
    });
    await insertElement(temp.db, {
      queue_name: 'Invoices "EU"',
      status: "FAILED",
      created_date: ago(5),
    });
    await insertLog(temp.db, {
      log_time: ago(10),
      log_level: "ERROR",
      process_name: "Payroll",
      log_message: "x",
    });
    await insertLog(temp.db, {
      log_time: ago(70),
      log_level: "ERROR",
      process_name: "Payroll",
      log_message: "x",
    });
    await insertTimedTrigger(temp.db, {
      name: "Nightly",
      type: "SCHEDULED",
      status: "FAILED",
      nextRun: ago(1),
    });
    const config = loadConfig({
      OpenOrchestratorSQL: `sqlite:///${temp.path}`,
      OpenOrchestratorKey: DEMO_KEY,
      OO_METRICS_TOKEN: TOKEN,
    });
    const poller = new Poller(temp.db, { outage: null }, { intervalMs: 1000 });
    const app = createApp({ db: temp.db, config, poller, peerOf: () => "127.0.0.1" });
    assert.equal(await poller.tick(), true);
    assert.equal((await app.request("http://localhost/queues/Invoices%20%22EU%22")).status, 200);
    assert.equal((await app.request("http://localhost/no/such/page")).status, 404);

    // From here on, any query fails the test.
    let queries = 0;
    temp.db.query = () => {
      queries++;
      return Promise.reject(new Error("the metrics queried the database"));
    };
    const response = await app.request("http://localhost/metrics", {
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    assert.equal(response.status, 200);
    assert.match(response.headers.get("Content-Type")!, /^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    assert.equal(queries, 0);
    const lines = text.split("\n");
    for (
      const line of [
        "# TYPE oo_queue_elements gauge",
        'oo_queue_elements{queue="Invoices \\"EU\\"",status="NEW"} 1',
        'oo_queue_elements{queue="Invoices \\"EU\\"",status="FAILED"} 1',
        'oo_queue_elements{queue="Invoices \\"EU\\"",status="DONE"} 0',
        'oo_error_logs_last_hour{process="Payroll"} 1',
        'oo_triggers{status="FAILED"} 1',
        'oo_schedulers{state="online"} 0',
        "oo_database_up 1",
        "# TYPE oo_http_request_duration_seconds histogram",
      ]
    ) assert.ok(lines.includes(line), line);
    const age = lines.find((l) =>
      l.startsWith('oo_queue_oldest_new_age_seconds{queue="Invoices \\"EU\\""}')
    );
    assert.ok(age, "the oldest new element's age");
    const seconds = Number(age.split(" ").at(-1));
    assert.ok(seconds >= 90 * 60 && seconds < 100 * 60, age);
    const last = lines.find((l) => l.startsWith("oo_poller_last_round_timestamp_seconds "));
    assert.equal(Number(last!.split(" ")[1]), poller.snapshot.at!.getTime() / 1000);
    assert.ok(lines.some((l) => /^oo_poller_last_round_duration_seconds \d/.test(l)));
    // Requests by route pattern, never by the path as sent.
    assert.ok(
      lines.includes(
        'oo_http_request_duration_seconds_count{method="GET",route="/queues/:name",status="200"} 1',
      ),
      "the element list by its pattern",
    );
    assert.ok(lines.includes(
      'oo_http_request_duration_seconds_count{method="GET",route="unmatched",status="404"} 1',
    ));
    assert.ok(!text.includes("Invoices%20"), "no raw path");
  } finally {
    await temp.close();
  }
});

Deno.test("GET /metrics needs the bearer token (401), and is not there without one (404)", async () => {
  const on = await testApp({ env: { OO_METRICS_TOKEN: TOKEN } });
  const off = await testApp();
  try {
    const wrong = await on.get("/metrics", { Authorization: `Bearer ${TOKEN}x` });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.headers.get("WWW-Authenticate"), 'Bearer realm="metrics"');
    assert.doesNotMatch(await wrong.text(), /oo_/);
    assert.equal((await on.get("/metrics")).status, 401);
    assert.equal((await on.get("/metrics", { Authorization: `Bearer ${TOKEN}` })).status, 200);
    assert.equal((await off.get("/metrics", { Authorization: "Bearer " })).status, 404);
    assert.equal((await off.get("/metrics")).status, 404);
    assert.equal((await on.get("/metrics/x", { Authorization: `Bearer ${TOKEN}` })).status, 404);
  } finally {
    await on.close();
    await off.close();
  }
});

Deno.test("in iis mode, /metrics takes the bearer token and never reads a Windows token", async () => {
  const temp = await tempDatabase({ seed: true });
  try {
    const config = loadConfig({
      OpenOrchestratorSQL: `sqlite:///${temp.path}`,
      OpenOrchestratorKey: DEMO_KEY,
      OO_AUTH: "iis",
      OO_METRICS_TOKEN: TOKEN,
    });
    const resolved: string[] = [];
    const app = createApp({
      db: temp.db,
      config,
      resolveToken: (handle) => {
        resolved.push(handle);
        throw new Error("a token was read");
      },
    });
    const headers = { "X-IIS-WindowsAuthToken": "1a4", Authorization: `Bearer ${TOKEN}` };
    const response = await app.request("http://127.0.0.1/metrics", { headers });
    assert.equal(response.status, 200);
    assert.match(await response.text(), /# TYPE oo_queue_elements gauge/);
    assert.deepEqual(resolved, []);
  } finally {
    await temp.close();
  }
});
