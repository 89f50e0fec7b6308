import assert from "node:assert/strict";
import { decrypt, encrypt, generateKey } from "../lib/fernet.ts";
import { DEMO_KEY } from "../lib/config.ts";
import { PYTHON_KEY } from "../db/testing.ts";
import { testApp } from "./testing.ts";

async function token(t: Awaited<ReturnType<typeof testApp>>, name: string): Promise<string> {
  const [row] = await t.db.query<{ password: string }>(
    "SELECT password FROM Credentials WHERE name = ?",
    [name],
  );
  return row.password;
}

Deno.test("the credentials list never shows a password or token, and flags another key", async () => {
  const t = await testApp();
  try {
    await t.db.run("INSERT INTO Credentials VALUES (?, ?, ?, ?)", [
      "Foreign",
      "someone",
      encrypt(generateKey(), "hidden-password"),
      "2026-01-01 00:00:00.000000",
    ]);
    const html = await (await t.get("/credentials")).text();
    assert.ok(!html.includes("S3cret"));
    assert.ok(!html.includes("gAAAAA"), "no token in the page");
    assert.match(html, /another key/);
    assert.equal((html.match(/another key<\/span>/g) ?? []).length, 1);
    assert.match(html, /0&ndash;15 bytes long/);

    const json = await (await t.json("/credentials?sort=name")).json();
    assert.equal(json.total, 4);
    const foreign = json.rows.find((r: { name: string }) => r.name === "Foreign");
    assert.equal(foreign.made_with_configured_key, false);
    assert.deepEqual(foreign.password_length, { min: 0, max: 15 });
    assert.equal(foreign.password, undefined);
    assert.equal(foreign.changed_at, "2026-01-01T00:00:00");
  } finally {
    await t.close();
  }
});

Deno.test("creating a credential encrypts the password with the configured key", async () => {
  const t = await testApp();
  try {
    const res = await t.post("/credentials", {
      name: "Bank",
      username: "rpa-bank",
      password: "pässwörd 🔑",
    });
    assert.equal(res.status, 201);
    const stored = await token(t, "Bank");
    assert.match(stored, /^gAAAAA[A-Za-z0-9_-]+=*$/);
    assert.equal(decrypt(DEMO_KEY, stored), "pässwörd 🔑");
    const [audit] = await t.db.query<{ log_message: string }>(
      "SELECT log_message FROM Logs WHERE process_name = 'OpenOrchestrator Web'",
    );
    assert.equal(audit.log_message, 'local created credential "Bank" with username "rpa-bank"');
    assert.ok(!audit.log_message.includes("pässwörd"));
  } finally {
    await t.close();
  }
});

Deno.test("bad credential input gets 422 next to the field and writes nothing", async () => {
  const t = await testApp();
  try {
    const cases: [Record<string, string>, string, RegExp][] = [
      [{ name: "", username: "u", password: "p" }, "name", /Name is required/],
      [{ name: "X", username: "", password: "p" }, "username", /Username is required/],
      [{ name: "X", username: "u".repeat(251), password: "p" }, "username", /at most 250/],
      [{ name: "X", username: "u", password: "p".repeat(601) }, "password", /at most 600 bytes/],
      [{ name: "Portal login", username: "u", password: "p" }, "name", /already exists/],
      [{ name: "Portal\u0000login", username: "u", password: "p" }, "name", /control characters/],
      [{ name: "Portal\nlogin", username: "u", password: "p" }, "name", /control characters/],
      [{ name: "X", username: "jdoe\r\nadmin", password: "p" }, "username", /control characters/],
      [{ name: "X", username: "jdoe\u0000", password: "p" }, "username", /control characters/],
    ];
    for (const [form, field, message] of cases) {
      const res = await t.post("/credentials", form);
      assert.equal(res.status, 422, JSON.stringify(form).slice(0, 60));
      const html = await res.text();
      assert.match(html, new RegExp(`id="credential-${field}-error"`));
      assert.match(html, message);
      assert.ok(!html.includes('value="p'), "the password is never echoed back");
    }
    const [{ n }] = await t.db.query<{ n: number }>("SELECT COUNT(*) AS n FROM Credentials");
    assert.equal(n, 3);
  } finally {
    await t.close();
  }
});

Deno.test("without a configured key a password cannot be set, but a username can change", async () => {
  const t = await testApp({ from: "develop", env: { OpenOrchestratorKey: "" } });
  try {
    assert.equal(t.config.key, null);
    const res = await t.post("/credentials", { name: "X", username: "u", password: "p" });
    assert.equal(res.status, 422);
    assert.match(await res.text(), /No OpenOrchestratorKey is configured/);
    const before = await token(t, "Mail");
    const edit = await t.post("/credentials/Mail", { username: "new@example.org", password: "" });
    assert.equal(edit.status, 200);
    assert.equal(await token(t, "Mail"), before);
  } finally {
    await t.close();
  }
});

Deno.test("editing with a blank password keeps the token; a new one replaces it", async () => {
  const t = await testApp();
  try {
    const before = await token(t, "SAP");
    assert.equal(
      (await t.post("/credentials/SAP", { username: "RPA2", password: "" })).status,
      200,
    );
    assert.equal(await token(t, "SAP"), before);
    assert.equal(
      (await t.post("/credentials/SAP", { username: "RPA2", password: "new" })).status,
      200,
    );
    assert.equal(decrypt(DEMO_KEY, await token(t, "SAP")), "new");
    const audits = await t.db.query<{ log_message: string }>(
      "SELECT log_message FROM Logs WHERE process_name = 'OpenOrchestrator Web' ORDER BY log_time",
    );
    assert.deepEqual(audits.map((a) => a.log_message).sort(), [
      'local changed credential "SAP": username "RPA2" kept, password changed',
      'local changed credential "SAP": username "RPA_BATCH" -> "RPA2", password kept',
    ]);
    assert.equal((await t.post("/credentials/Nope", { username: "x" })).status, 404);
  } finally {
    await t.close();
  }
});

Deno.test("reveal decrypts a Python-made token with the typed key, no-store, audited", async () => {
  const t = await testApp({ from: "develop" });
  try {
    const res = await t.post("/credentials/Portal%20login/reveal", { key: PYTHON_KEY });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("Cache-Control"), "no-store");
    const html = await res.text();
    assert.match(html, /S3cret! æøå/);
    assert.match(html, /data-seconds="30"/);
    const empty = await (await t.post("/credentials/Mail/reveal", { key: PYTHON_KEY })).text();
    assert.match(empty, /\(empty\)/);
    const audits = await t.db.query<{ log_message: string }>(
      "SELECT log_message FROM Logs WHERE process_name = 'OpenOrchestrator Web'",
    );
    assert.equal(audits.length, 2);
    assert.ok(
      audits.every((a) => a.log_message.startsWith("local revealed the password of credential")),
    );
    assert.ok(audits.every((a) => !a.log_message.includes("S3cret")));
  } finally {
    await t.close();
  }
});

Deno.test("reveal with a wrong or malformed key says so next to the field", async () => {
  const t = await testApp();
  try {
    const wrong = await t.post("/credentials/SAP/reveal", { key: generateKey() });
    assert.equal(wrong.status, 422);
    assert.match(
      await wrong.text(),
      /id="reveal-key-error"[^>]*>This key did not encrypt this password/,
    );
    const bad = await t.post("/credentials/SAP/reveal", { key: "not-a-key" });
    assert.equal(bad.status, 422);
    assert.match(await bad.text(), /not a Fernet key/);
    const none = await t.post("/credentials/SAP/reveal", {});
    assert.equal(none.status, 422);
    await t.db.run("UPDATE Credentials SET password = 'garbage' WHERE name = 'SAP'");
    const garbage = await t.post("/credentials/SAP/reveal", { key: DEMO_KEY });
    assert.equal(garbage.status, 422);
    assert.match(await garbage.text(), /not a valid Fernet token/);
    assert.equal((await t.post("/credentials/Nope/reveal", { key: DEMO_KEY })).status, 404);
    const refused = await t.db.query<{ log_message: string }>(
      "SELECT log_message FROM Logs WHERE log_message LIKE 'local tried to reveal%' ORDER BY log_message",
    );
    assert.deepEqual(refused.map((r) => r.log_message), [
      'local tried to reveal the password of credential "SAP": refused, bad-key',
      'local tried to reveal the password of credential "SAP": refused, bad-token',
      'local tried to reveal the password of credential "SAP": refused, wrong-key',
    ]);
  } finally {
    await t.close();
  }
});

Deno.test("reveal allows at most 5 tries a minute per user", async () => {
  const t = await testApp();
  try {
    for (let i = 0; i < 5; i++) {
      const res = await t.post("/credentials/SAP/reveal", {
        key: i === 4 ? DEMO_KEY : generateKey(),
      });
      assert.equal(res.status, i === 4 ? 200 : 422);
    }
    const limited = await t.post("/credentials/SAP/reveal", { key: DEMO_KEY });
    assert.equal(limited.status, 429);
    const html = await limited.text();
    assert.match(html, /Too many reveals/);
    assert.ok(!html.includes("correct horse"));
  } finally {
    await t.close();
  }
});

Deno.test("the reveal limit is per person, not per spelling; refusals are one audit row", async () => {
  const env = { OO_AUTH: "header", OO_AUTH_HEADER: "X-Remote-User", OO_ADMINS: "admins" };
  const t = await testApp({ env });
  try {
    const spellings = ["admins", "Admins", "d1\\admins", "D2\\ADMINS", "d1\\Admins"];
    for (let i = 0; i < 5; i++) {
      const res = await t.post("/credentials/SAP/reveal", { key: DEMO_KEY }, {
        "X-Remote-User": spellings[i],
      });
      assert.equal(res.status, 200, spellings[i]);
      await res.body?.cancel();
    }
    for (let i = 0; i < 20; i++) {
      const res = await t.post("/credentials/SAP/reveal", { key: DEMO_KEY }, {
        "X-Remote-User": spellings[i % spellings.length],
      });
      assert.equal(res.status, 429);
      await res.body?.cancel();
    }
    const rows = await t.db.query<{ log_message: string }>(
      "SELECT log_message FROM Logs WHERE log_message LIKE '%too many tries%'",
    );
    assert.deepEqual(rows.map((r) => r.log_message), [
      'admins tried to reveal the password of credential "SAP": refused, too many tries',
    ]);
  } finally {
    await t.close();
  }
});

Deno.test("deleting a credential audits it", async () => {
  const t = await testApp();
  try {
    assert.equal((await t.del("/credentials/Mail")).status, 200);
    assert.equal((await t.del("/credentials/Mail")).status, 404);
    const [{ n }] = await t.db.query<{ n: number }>(
      "SELECT COUNT(*) AS n FROM Logs WHERE log_message = 'local deleted credential \"Mail\"'",
    );
    assert.equal(n, 1);
  } finally {
    await t.close();
  }
});
