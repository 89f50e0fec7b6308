import assert from "node:assert/strict";
import { isValidKey, keyFingerprint } from "../lib/fernet.ts";
import { DEMO_KEY } from "../lib/config.ts";
import { testApp } from "./testing.ts";

Deno.test("settings show the configured key's fingerprint and the database's capabilities", async () => {
  const t = await testApp({ from: "2.0" });
  try {
    const html = await (await t.get("/settings")).text();
    assert.match(html, new RegExp(`<code>${keyFingerprint(DEMO_KEY)}</code>`));
    assert.match(html, /the demo key named in the README/);
    assert.match(html, /<code>90d46abd44a3<\/code>/);
    assert.match(html, /Kill requests \(KILLING\)<\/dt><dd>no<\/dd>/);
    assert.match(
      html,
      /CREATE INDEX ix_oo_web_Logs_process_time ON Logs \(process_name, log_time\)/,
    );
    assert.ok(!html.includes(DEMO_KEY), "the key itself is never shown");
    assert.doesNotMatch(html, /Initialize the database/);
  } finally {
    await t.close();
  }
});

Deno.test("a new key is shown once, never cached", async () => {
  const t = await testApp();
  try {
    const res = await t.post("/settings/key");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("Cache-Control"), "no-store");
    const key = /<code class="secret">([^<]+)<\/code>/.exec(await res.text())?.[1];
    assert.ok(key && isValidKey(key), String(key));
    const again = /<code class="secret">([^<]+)<\/code>/.exec(
      await (await t.post("/settings/key")).text(),
    )?.[1];
    assert.notEqual(again, key);
  } finally {
    await t.close();
  }
});

Deno.test("init creates the schema in an empty database and refuses one with tables", async () => {
  const empty = await testApp({ empty: true, seed: false });
  try {
    assert.match(await (await empty.get("/settings")).text(), /Initialize the database/);
    const res = await empty.post("/settings/init");
    assert.equal(res.status, 200);
    assert.match(await res.text(), /The tables were created/);
    assert.deepEqual(empty.db.info.missingTables, []);
    assert.equal((await (await empty.json("/constants")).json()).total, 0);
  } finally {
    await empty.close();
  }
  const full = await testApp();
  try {
    const res = await full.post("/settings/init");
    assert.equal(res.status, 409);
    assert.match(await res.text(), /never altered from here/);
  } finally {
    await full.close();
  }
});

Deno.test("viewers cannot generate keys or initialize", async () => {
  const t = await testApp({ env: { OO_AUTH: "header", OO_VIEWERS: "bob", OO_ADMINS: "alice" } });
  try {
    const as = { "X-Forwarded-User": "bob" };
    assert.equal((await t.get("/settings", as)).status, 200);
    assert.equal((await t.post("/settings/key", {}, as)).status, 403);
    assert.equal((await t.post("/settings/init", {}, as)).status, 403);
    assert.equal((await t.post("/settings/doctor", {}, as)).status, 403);
  } finally {
    await t.close();
  }
});

Deno.test("the Settings page runs the self-check and shows its table", async () => {
  const t = await testApp();
  try {
    assert.match(await (await t.get("/settings")).text(), /Run the self-check/);
    const res = await t.post("/settings/doctor");
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /<tr class="doctor-ok"><td><strong>OK<\/strong><\/td><td>reachable<\/td>/);
    assert.match(html, /<td>writes<\/td>/);
    assert.doesNotMatch(html, /doctor-fail/);
  } finally {
    await t.close();
  }
});

Deno.test("the Settings page shows the alert configuration without secrets and sends a test alert", async () => {
  const received: unknown[] = [];
  const hook = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    received.push({ path: new URL(req.url).pathname, body: await req.json() });
    return new Response("ok");
  });
  const env = {
    OO_AUTH: "header",
    OO_ADMINS: "alice",
    OO_VIEWERS: "bob",
    OO_ALERTS: "on",
    OO_ALERT_WEBHOOK_URL: `http://127.0.0.1:${hook.addr.port}/services/T000/SECRETPATH`,
    OO_ALERT_WEBHOOK_FORMAT: "slack",
    OO_ALERT_SMTP_HOST: "127.0.0.1",
    OO_ALERT_SMTP_PORT: "1", // nothing listens there: the mail fails at once
    OO_ALERT_SMTP_USER: "rpa-alerts",
    OO_ALERT_SMTP_PASSWORD: "smtp-PASSWORD-1",
    OO_ALERT_MAIL_FROM: "rpa@example.org",
    OO_ALERT_MAIL_TO: "ops@example.org",
    OO_PUBLIC_URL: "https://rpa.example.org/",
  };
  const t = await testApp({ env });
  try {
    const alice = { "X-Forwarded-User": "alice" };
    const html = await (await t.get("/settings", alice)).text();
    assert.match(html, /Alerts from this instance<\/dt><dd>on<\/dd>/);
    assert.ok(html.includes(`slack to http://127.0.0.1:${hook.addr.port}/…`));
    assert.match(
      html,
      /127\.0\.0\.1:1 \(STARTTLS, login as rpa-alerts\) from rpa@example\.org to ops@example\.org/,
    );
    assert.match(html, /<code>https:\/\/rpa\.example\.org<\/code>/);
    assert.match(html, /Send a test alert/);
    assert.ok(!html.includes("SECRETPATH"), "the webhook's path is a secret");
    assert.ok(!html.includes("smtp-PASSWORD-1"));

    const bob = { "X-Forwarded-User": "bob" };
    assert.doesNotMatch(await (await t.get("/settings", bob)).text(), /Send a test alert/);
    assert.equal((await t.post("/settings/alerts/test", {}, bob)).status, 403);
    const forged = await t.post("/settings/alerts/test", {}, { ...alice, "HX-Request": "" });
    assert.equal(forged.status, 403, "the CSRF guard applies");
    assert.equal(received.length, 0);

    const res = await t.post("/settings/alerts/test", {}, alice);
    assert.equal(res.status, 200);
    const report = await res.text();
    assert.match(report, /Sent on the webhook\./);
    assert.match(report, /Not sent on the email: Cannot send the alert mail: /);
    assert.equal(received.length, 1);
    const { path, body } = received[0] as { path: string; body: { text: string } };
    assert.equal(path, "/services/T000/SECRETPATH");
    assert.match(body.text, /^\*Test alert: A test alert, sent by alice from the Settings page\*/);
    assert.ok(body.text.includes("<https://rpa.example.org/settings|"));
  } finally {
    await t.close();
    await hook.shutdown();
  }
});
