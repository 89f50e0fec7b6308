import assert from "node:assert/strict";
import { DatabaseUnavailableError, QueryTimeoutError, UNKNOWN_INFO } from "../db/connection.ts";
import { tempDatabase } from "../db/testing.ts";
import { Poller } from "./poller.ts";

Deno.test("the poller reads the aggregates, survives an outage with back-off, and recovers", async () => {
  const t = await tempDatabase({ seed: true });
  try {
    const health = { outage: null as string | null };
    const poller = new Poller(t.db, health, { intervalMs: 1000 });
    assert.equal(await poller.tick(), true);
    assert.deepEqual(poller.snapshot.schedulers, { online: 1, stale: 1, offline: 1 });
    const firstAt = poller.snapshot.at;
    assert.ok(firstAt);

    const query = t.db.query;
    t.db.query = () =>
      Promise.reject(new DatabaseUnavailableError("The database cannot be reached: gone"));
    assert.equal(await poller.tick(), false);
    assert.equal(health.outage, "The database cannot be reached: gone");
    assert.equal(poller.delayMs, 2000);
    await poller.tick();
    assert.equal(poller.delayMs, 4000);
    for (let i = 0; i < 10; i++) await poller.tick();
    assert.equal(poller.delayMs, 60_000, "back-off is capped");
    assert.deepEqual(
      poller.snapshot.schedulers,
      { online: 1, stale: 1, offline: 1 },
      "last values kept",
    );

    t.db.query = query;
    assert.equal(await poller.tick(), true);
    assert.equal(health.outage, null);
    assert.equal(poller.delayMs, 1000);
  } finally {
    await t.close();
  }
});

Deno.test("start() runs a first round at once and stop() ends the loop", async () => {
  const t = await tempDatabase({ seed: true });
  try {
    const poller = new Poller(t.db, { outage: null }, { intervalMs: 50 });
    poller.start();
    for (let i = 0; i < 50 && !poller.snapshot.at; i++) await new Promise((r) => setTimeout(r, 10));
    poller.stop();
    assert.ok(poller.snapshot.at);
  } finally {
    await t.close();
  }
});

Deno.test("a slow query is not an outage: no banner, no back-off", async () => {
  const t = await tempDatabase({ seed: true });
  try {
    const health = { outage: null as string | null };
    const poller = new Poller(t.db, health, { intervalMs: 1000 });
    t.db.query = () => Promise.reject(new QueryTimeoutError("Cannot finish the query: slow"));
    assert.equal(await poller.tick(), false);
    assert.equal(health.outage, null);
    assert.equal(poller.delayMs, 1000);
  } finally {
    await t.close();
  }
});

Deno.test("when an outage clears, the schema is detected again before the round", async () => {
  const t = await tempDatabase({ seed: true });
  try {
    // As after a start while the server was down: nothing known yet.
    t.db.info = { ...UNKNOWN_INFO };
    const health = { outage: "The database cannot be reached: down at start" };
    const poller = new Poller(t.db, health, { intervalMs: 1000 });
    assert.equal(await poller.tick(), true);
    assert.equal(health.outage, null);
    assert.equal(t.db.info.revision, "9698388a0709");
    assert.equal(t.db.info.gitBranch, true);
  } finally {
    await t.close();
  }
});
