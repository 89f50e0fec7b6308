import assert from "node:assert/strict";
import { testApp } from "./testing.ts";

Deno.test("GET /schedulers shows every machine's state, latest trigger and whitelisted triggers", async () => {
  const t = await testApp();
  try {
    const html = await (await t.get("/schedulers")).text();
    assert.match(html, /^<!DOCTYPE html>/);
    assert.match(html, /7 triggers have\s+no whitelist/);
    const fragment = await (await t.get("/schedulers", { "HX-Request": "true" })).text();
    assert.match(fragment, /^<div id="schedulers-table"/);
    assert.match(fragment, /oo-tick from:body/);
    assert.match(fragment, /tone-ok">Online</);
    assert.match(fragment, /tone-paused">Stale</);
    assert.match(fragment, /tone-error">Offline</);

    const json = await (await t.json("/schedulers?sort=last_update&dir=desc")).json();
    assert.equal(json.total, 3);
    assert.equal(json.open, 7);
    assert.deepEqual(json.unknown, []);
    assert.deepEqual(
      json.rows.map((r: Record<string, unknown>) => [r.machine_name, r.state, r.whitelisted]),
      [
        ["rpa-vm-01", "online", ["Nightly invoices"]],
        ["rpa-vm-02", "stale", ["Citizen letters", "Nightly invoices"]],
        ["rpa-vm-03", "offline", []],
      ],
    );
    assert.match(json.rows[0].last_update, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    assert.equal(json.rows[2].latest_trigger_time, null);

    await t.db.run(
      "UPDATE Triggers SET scheduler_whitelist = ? WHERE trigger_name = 'Weekly report'",
      [
        '["<b>old-vm</b>"]',
      ],
    );
    const warned = await (await t.get("/schedulers")).text();
    assert.match(warned, /Whitelisted machines that never pinged/);
    assert.match(warned, /&lt;b&gt;old-vm&lt;\/b&gt;/);

    assert.equal((await t.json("/schedulers?sort=whitelisted")).status, 400);
    assert.deepEqual(
      (await (await t.json("/schedulers?q=vm-02")).json()).rows.map((r: { machine_name: string }) =>
        r.machine_name
      ),
      ["rpa-vm-02"],
    );
  } finally {
    await t.close();
  }
});

Deno.test("the schedulers page reads a Python-written database", async () => {
  const t = await testApp({ from: "2.0" });
  try {
    const json = await (await t.json("/schedulers")).json();
    assert.deepEqual(json.rows.map((r: { machine_name: string }) => r.machine_name), [
      "rpa-vm-01",
      "rpa-vm-02",
    ]);
    assert.equal(json.open, 2, "'[]' and the text 'null' both mean any machine");
  } finally {
    await t.close();
  }
});
