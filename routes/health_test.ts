import assert from "node:assert/strict";
import { tempDatabase } from "../db/testing.ts";
import { loadConfig } from "../lib/config.ts";
import { Poller } from "../lib/poller.ts";
import { turn } from "../lib/turns.ts";
import { createApp } from "./app.tsx";
import { testApp } from "./testing.ts";

Deno.test("/healthz reports the database, the revision and the poller's last round", async () => {
  const temp = await tempDatabase({ seed: true });
  try {
    const config = loadConfig({ OpenOrchestratorSQL: `sqlite:///${temp.path}` });
    const poller = new Poller(temp.db, { outage: null }, { intervalMs: 1000 });
    const app = createApp({ db: temp.db, config, poller });
    const before = await (await app.request("http://localhost/healthz")).json();
    assert.equal(before.status, "ok");
    assert.deepEqual(before.database, {
      reachable: true,
      engine: "sqlite",
      name: "test.db",
      revision: "9698388a0709",
      missing_tables: [],
      writable: true,
    });
    assert.equal(before.poller.last_round, null);
    await poller.tick();
    const after = await (await app.request("http://localhost/healthz")).json();
    assert.match(after.poller.last_round, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
  } finally {
    await temp.close();
  }
});

Deno.test("the header's status is answered at once; a view waits for the turns before it, and is not made once closed", async () => {
  const t = await testApp();
  try {
    await t.poller.tick();
    const order: string[] = [];
    const done = (what: string) => async (response: Response) => {
      await response.text();
      order.push(`${what} ${response.status}`);
    };
    const earlier = [1, 2, 3].map((i) => turn().then(() => order.push(`turn ${i}`)));
    const view = t.get("/logs/all", { "HX-Request": "true" }).then(done("view"));
    const closing = new AbortController();
    const closed = Promise.resolve(
      t.app.request("http://localhost/logs/all", { signal: closing.signal }),
    ).then(done("closed"));
    closing.abort();
    const header = t.get("/health/header", { "HX-Request": "true" }).then(done("header"));
    await Promise.all([...earlier, view, header, closed]);
    assert.deepEqual(order, [
      "header 200",
      "turn 1",
      "turn 2",
      "turn 3",
      "view 200",
      "closed 499",
    ]);
  } finally {
    await t.close();
  }
});
