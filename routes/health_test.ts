import assert from "node:assert/strict";
import { tempDatabase } from "../db/testing.ts";
import { loadConfig } from "../lib/config.ts";
import { Poller } from "../lib/poller.ts";
import { createApp } from "./app.tsx";

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
