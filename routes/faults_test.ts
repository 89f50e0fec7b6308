/**
 * Faults the database really has: another process holding the write lock (as a robot's long
 * write does), a full disk and a read-only database. Each ends in a clear 503 and the banner,
 * writes nothing, never holds up other requests, and clears by itself.
 * @module
 */
import assert from "node:assert/strict";
import { holdWriteLock as holdLock } from "../db/testing.ts";
import { type TestApp, testApp } from "./testing.ts";

const BUSY = "The database is busy (another program is writing); nothing was changed.";

async function constantCount(t: TestApp, name: string): Promise<number> {
  const [row] = await t.db.query<{ n: number }>(
    "SELECT COUNT(*) AS n FROM Constants WHERE name = ?",
    [name],
  );
  return Number(row.n);
}

Deno.test("another process's lock: writes answer 503 busy in time, reads go on, health says so", async () => {
  const t = await testApp();
  const lock = await holdLock(t.path);
  try {
    const order: string[] = [];
    const write = t.post("/constants", { name: "During the lock", value: "1" }).then((r) => {
      order.push("write");
      return r;
    });
    const jsonWrite = t.app.request("http://localhost/constants", {
      method: "POST",
      body: new URLSearchParams({ name: "During the lock", value: "1" }),
      headers: { "HX-Request": "true", Accept: "application/json", Origin: "http://localhost" },
    });
    // While the writes wait for the lock, the server answers other requests.
    const read = await t.get("/constants?q=Portal");
    order.push("read");
    assert.equal(read.status, 200);
    const health = await t.get("/healthz");
    order.push("health");
    assert.equal(health.status, 503);
    assert.equal((await health.json()).status, "database busy");

    const answer = await write;
    assert.deepEqual(order, ["read", "health", "write"]);
    assert.equal(answer.status, 503);
    assert.equal(answer.headers.get("HX-Retarget"), "#db-banner");
    assert.match(await answer.text(), new RegExp(BUSY.replace(/[()]/g, "\\$&")));
    const json = await jsonWrite;
    assert.equal(json.status, 503);
    assert.deepEqual(await json.json(), { errors: { _form: BUSY } });
    // The page shows the banner while the lock is held.
    assert.match(await (await t.get("/constants")).text(), /id="db-banner"[^>]*>[^]*busy/);
  } finally {
    await lock.release();
  }
  try {
    assert.equal(await constantCount(t, "During the lock"), 0, "nothing was written");
    // It recovers by itself: the banner check clears, the next write goes through.
    const banner = await t.get("/health/banner", { "HX-Request": "true" });
    assert.equal(banner.headers.get("HX-Refresh"), "true");
    assert.equal((await t.get("/healthz")).status, 200);
    assert.equal((await t.post("/constants", { name: "After the lock", value: "1" })).status, 201);
    assert.equal(await constantCount(t, "After the lock"), 1);
  } finally {
    await t.close();
  }
});

Deno.test("a full disk: 503 with the reason, nothing written, health says so until a write succeeds", async () => {
  const t = await testApp();
  try {
    // SQLite's own SQLITE_FULL: no page may be added to the file.
    const [{ page_count }] = await t.db.query<{ page_count: number }>("PRAGMA page_count");
    await t.db.query(`PRAGMA max_page_count = ${Number(page_count)}`);
    let answer: Response | null = null;
    let name = "";
    for (let i = 0; i < 500 && answer?.status !== 503; i++) {
      name = `Filler ${i}`;
      answer = await t.post("/constants", { name, value: "x".repeat(900) });
      assert.ok([201, 503].includes(answer.status), `status ${answer.status}`);
    }
    assert.equal(answer!.status, 503);
    assert.match(await answer!.text(), /The database&#39;s disk is full; nothing was changed\./);
    assert.equal(await constantCount(t, name), 0);
    const health = await t.get("/healthz");
    assert.equal(health.status, 503);
    assert.equal((await health.json()).status, "disk full");

    await t.db.query("PRAGMA max_page_count = 1073741823");
    assert.equal((await t.post("/constants", { name: "Fits", value: "1" })).status, 201);
    assert.equal((await (await t.get("/healthz")).json()).status, "ok");
  } finally {
    await t.close();
  }
});

Deno.test("a read-only database: 503 with the reason, and health says so", async () => {
  const t = await testApp();
  try {
    await t.db.query("PRAGMA query_only = ON");
    const answer = await t.post("/constants", { name: "Read-only", value: "1" });
    assert.equal(answer.status, 503);
    assert.match(await answer.text(), /The database is read-only/);
    assert.equal((await (await t.get("/healthz")).json()).status, "read-only");
    assert.equal((await t.get("/constants")).status, 200, "reads go on");
    await t.db.query("PRAGMA query_only = OFF");
    assert.equal((await (await t.get("/healthz")).json()).status, "ok");
  } finally {
    await t.close();
  }
});
