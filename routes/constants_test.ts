import assert from "node:assert/strict";
import { testApp } from "./testing.ts";

async function count(t: Awaited<ReturnType<typeof testApp>>, sql: string, params: string[] = []) {
  const [row] = await t.db.query<{ n: number }>(sql, params);
  return Number(row.n);
}

Deno.test("GET /constants renders the full page, the fragment for htmx, and JSON", async () => {
  const t = await testApp();
  try {
    const page = await t.get("/constants");
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /^<!DOCTYPE html>/);
    assert.match(html, /<nav aria-label="Areas">/);
    assert.match(html, /Portal URL/);

    const fragment = await (await t.get("/constants", { "HX-Request": "true" })).text();
    assert.match(fragment, /^<div id="constants-table"/);
    assert.doesNotMatch(fragment, /<html/);

    const json = await (await t.json("/constants?sort=name")).json();
    assert.equal(json.total, 6);
    assert.deepEqual(Object.keys(json.rows[0]).sort(), ["changed_at", "name", "value"]);
    assert.match(json.rows[0].changed_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
  } finally {
    await t.close();
  }
});

Deno.test("constants search, sort and paging follow the query", async () => {
  const t = await testApp();
  try {
    for (let i = 0; i < 30; i++) {
      const res = await t.post("/constants", {
        name: `Bulk ${String(i).padStart(2, "0")}`,
        value: `v${i}`,
      });
      assert.equal(res.status, 201);
    }
    const search = await (await t.json("/constants?q=bulk%200")).json();
    assert.equal(search.total, 10);
    const desc = await (await t.json("/constants?q=Bulk&sort=name&dir=desc&size=5&page=2")).json();
    assert.deepEqual(desc.rows.map((r: { name: string }) => r.name), [
      "Bulk 24",
      "Bulk 23",
      "Bulk 22",
      "Bulk 21",
      "Bulk 20",
    ]);
    assert.equal(desc.total, 30);
    // LIKE wildcards in the search are taken literally.
    assert.equal((await (await t.json("/constants?q=%25")).json()).total, 0);
    assert.equal((await (await t.json("/constants?q=_")).json()).total, 0);
  } finally {
    await t.close();
  }
});

Deno.test("bad list parameters are refused with 400 and a message", async () => {
  const t = await testApp();
  try {
    for (
      const [query, field] of [
        ["sort=password", "sort"],
        ["sort=name;DROP TABLE Constants", "sort"],
        ["dir=sideways", "dir"],
        ["size=100000", "size"],
        ["size=-1", "size"],
        ["page=0", "page"],
        ["page=abc", "page"],
        [`q=${"x".repeat(201)}`, "q"],
      ]
    ) {
      const res = await t.json(`/constants?${query}`);
      assert.equal(res.status, 400, query);
      const body = await res.json();
      assert.ok(body.errors[field], `${query} names ${field}`);
    }
    const page = await t.get("/constants?sort=bogus");
    assert.equal(page.status, 400);
    assert.match(await page.text(), /Cannot sort by &#39;bogus&#39;/);
    assert.equal(await count(t, "SELECT COUNT(*) AS n FROM Constants"), 6);
  } finally {
    await t.close();
  }
});

Deno.test("creating a constant writes it with changed_at and an audit entry", async () => {
  const t = await testApp();
  try {
    const res = await t.post("/constants", { name: "  Timeout  ", value: "30" }, {
      "OO-View": "/constants?q=time",
    });
    assert.equal(res.status, 201);
    const html = await res.text();
    assert.match(html, /Constant “Timeout” created/);
    // The list the page shows comes along, as it is now: the new row is in it, the count true.
    const table = html.slice(html.indexOf('<div id="constants-table"'));
    assert.match(table, /^<div id="constants-table"[^>]* hx-swap-oob="true"/);
    assert.match(table, /data-key="Timeout"/);
    assert.match(table, /1&ndash;1 of 1/);
    const [row] = await t.db.query<{ value: string; changed_at: string }>(
      "SELECT value, changed_at FROM Constants WHERE name = ?",
      ["Timeout"],
    );
    assert.equal(row.value, "30");
    assert.match(row.changed_at, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/);
    const [audit] = await t.db.query<{ log_message: string; log_level: string }>(
      "SELECT log_message, log_level FROM Logs WHERE process_name = 'OpenOrchestrator Web'",
    );
    assert.equal(audit.log_level, "INFO");
    assert.equal(audit.log_message, 'local created constant "Timeout" = "30"');
  } finally {
    await t.close();
  }
});

Deno.test("bad constant input gets 422, a message next to the field, and writes nothing", async () => {
  const t = await testApp();
  try {
    const before = await count(t, "SELECT COUNT(*) AS n FROM Constants");
    const logsBefore = await count(t, "SELECT COUNT(*) AS n FROM Logs");
    const cases: [Record<string, string | string[]>, string, RegExp][] = [
      [{ name: "", value: "x" }, "name", /Name is required/],
      [{ name: "   ", value: "x" }, "name", /Name is required/],
      [{ name: "a".repeat(101), value: "x" }, "name", /at most 100 characters \(this is 101\)/],
      [{ name: "New", value: "" }, "value", /Value is required/],
      [{ name: "New", value: "v".repeat(1001) }, "value", /at most 1000 characters/],
      [{ name: "Portal URL", value: "x" }, "name", /already exists/],
      [{ name: ["a", "b"], value: "x" }, "name", /./],
      // A name with a NUL, a line break or a tab looks like another name.
      ...["Portal\u0000URL", "Portal\rURL", "Portal\nURL", "Portal\tURL", "A\u007fB", "A\u0085B"]
        .map(
          (name): [Record<string, string>, string, RegExp] => [
            { name, value: "x" },
            "name",
            /Name cannot hold control characters/,
          ],
        ),
    ];
    for (const [form, field, message] of cases) {
      const res = await t.post("/constants", form);
      assert.equal(res.status, 422, JSON.stringify(form).slice(0, 80));
      const html = await res.text();
      assert.match(html, new RegExp(`id="constant-${field}-error"[^>]*>[^<]*`));
      assert.match(html, message);
      assert.match(html, new RegExp(`id="constant-${field}"[^>]*aria-invalid="true"`));
    }
    const json = await t.app.request("http://localhost/constants", {
      method: "POST",
      body: new URLSearchParams({ name: "", value: "" }),
      headers: { "HX-Request": "true", Accept: "application/json" },
    });
    assert.equal(json.status, 422);
    assert.deepEqual(Object.keys((await json.json()).errors).sort(), ["name", "value"]);
    assert.equal(await count(t, "SELECT COUNT(*) AS n FROM Constants"), before);
    assert.equal(await count(t, "SELECT COUNT(*) AS n FROM Logs"), logsBefore);
  } finally {
    await t.close();
  }
});

Deno.test("a value is kept exactly as typed, control characters and all", async () => {
  const t = await testApp();
  try {
    const value = "  line one\r\nline two\ttab\u001b[0m  ";
    assert.equal((await t.post("/constants", { name: "Raw", value })).status, 201);
    const [row] = await t.db.query<{ value: string }>(
      "SELECT value FROM Constants WHERE name = 'Raw'",
    );
    assert.equal(row.value, value);
  } finally {
    await t.close();
  }
});

Deno.test("script tags and quotes in values are rendered escaped", async () => {
  const t = await testApp();
  try {
    const evil = `<script>alert("x")</script>' onmouseover='alert(1)`;
    assert.equal((await t.post("/constants", { name: `n<b>"'`, value: evil })).status, 201);
    const html = await (await t.get("/constants")).text();
    assert.ok(!html.includes("<script>alert"), "no raw script tag");
    assert.ok(!html.includes("<b>\"'"), "no raw name markup");
    assert.match(
      html,
      /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt;&#39; onmouseover=&#39;alert\(1\)/,
    );
    assert.match(html, /\/constants\/n%3Cb%3E%22&#39;\/edit/);
    const edit = await t.get(`/constants/${encodeURIComponent(`n<b>"'`)}/edit`, {
      "HX-Request": "true",
    });
    assert.equal(edit.status, 200);
    assert.match(await edit.text(), /value="n&lt;b&gt;&quot;&#39;"/);
  } finally {
    await t.close();
  }
});

Deno.test("updating keeps the name, sets changed_at and audits before -> after", async () => {
  const t = await testApp();
  try {
    await t.db.run("UPDATE Constants SET changed_at = '2020-01-01 00:00:00.000000'");
    const res = await t.post("/constants/Max%20retries", { value: "5", name: "Renamed" });
    assert.equal(res.status, 200);
    const rows = await t.db.query<{ name: string; value: string; changed_at: string }>(
      "SELECT name, value, changed_at FROM Constants WHERE value = '5'",
    );
    assert.equal(rows.length, 1);
    assert.equal(rows[0].name, "Max retries");
    assert.notEqual(rows[0].changed_at, "2020-01-01 00:00:00.000000");
    const [audit] = await t.db.query<{ log_message: string }>(
      "SELECT log_message FROM Logs WHERE process_name = 'OpenOrchestrator Web'",
    );
    assert.equal(audit.log_message, 'local changed constant "Max retries": "3" -> "5"');

    const empty = await t.post("/constants/Max%20retries", { value: "" });
    assert.equal(empty.status, 422);
    const missing = await t.post("/constants/Nope", { value: "1" });
    assert.equal(missing.status, 404);
  } finally {
    await t.close();
  }
});

Deno.test("deleting a constant removes it and audits; a second delete is 404", async () => {
  const t = await testApp();
  try {
    const res = await t.del("/constants/SAP%20system", { "OO-View": "/constants" });
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /hx-swap-oob="true"/);
    assert.doesNotMatch(html, /data-key="SAP system"/, "the deleted row is gone from the list");
    assert.equal(
      await count(t, "SELECT COUNT(*) AS n FROM Constants WHERE name = 'SAP system'"),
      0,
    );
    assert.equal(
      await count(
        t,
        "SELECT COUNT(*) AS n FROM Logs WHERE log_message LIKE '%deleted constant \"SAP system\"%'",
      ),
      1,
    );
    assert.equal((await t.del("/constants/SAP%20system")).status, 404);
  } finally {
    await t.close();
  }
});

Deno.test("the new and edit forms render, and a missing constant is 404", async () => {
  const t = await testApp();
  try {
    assert.match(
      await (await t.get("/constants/new", { "HX-Request": "true" })).text(),
      /New constant/,
    );
    const edit = await (await t.get("/constants/Portal%20URL/edit", { "HX-Request": "true" }))
      .text();
    assert.match(edit, /readonly/);
    assert.match(edit, /https:\/\/portal\.example\.org\/login/);
    assert.equal((await t.get("/constants/Nope/edit")).status, 404);
  } finally {
    await t.close();
  }
});
