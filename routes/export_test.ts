import assert from "node:assert/strict";
import { time } from "../db/connection.ts";
import { newId } from "../db/ids.ts";
import { type TestApp, testApp } from "./testing.ts";
import { insertElement } from "../db/testing.ts";

/** Reads RFC 4180 text into rows of cells (quotes, doubled quotes, CRLF and line breaks in cells). */
function parseCsv(text: string): string[][] {
  assert.ok(text.startsWith("\uFEFF"), "UTF-8 with a byte order mark");
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 1; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (cell += '"', i++);
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") (row.push(cell), cell = "");
    else if (ch === "\r" && text[i + 1] === "\n") {
      row.push(cell);
      rows.push(row);
      (row = [], cell = "", i++);
    } else cell += ch;
  }
  assert.equal(cell + row.join(""), "", "the last line ends with CRLF");
  return rows;
}

async function csv(t: TestApp, path: string): Promise<string[][]> {
  const res = await t.get(path);
  assert.equal(res.status, 200, path);
  assert.equal(res.headers.get("Content-Type"), "text/csv; charset=utf-8");
  assert.match(res.headers.get("Content-Disposition") ?? "", /^attachment; filename=".+\.csv"$/);
  return parseCsv(new TextDecoder("utf-8", { ignoreBOM: true }).decode(await res.arrayBuffer()));
}

const TRICKY = [
  ["Export comma", "a,b"],
  ["Export formula", '=HYPERLINK("http://evil","x")'],
  ["Export minus", "-2+3"],
  ["Export plus", "+45"],
  ["Export at", "@SUM(A1)"],
  ["Export tab", "\tindented"],
  ["Export lines", 'one\r\ntwo "quoted"'],
];

Deno.test("constants export: quoted, formulas neutralised, search and order applied", async () => {
  const t = await testApp();
  try {
    for (const [name, value] of TRICKY) {
      await t.db.run("INSERT INTO Constants (name, value, changed_at) VALUES (?, ?, ?)", [
        name,
        value,
        time("2026-11-20 08:00:00.000000"),
      ]);
    }
    const rows = await csv(t, "/constants?q=Export&sort=name&dir=desc&format=csv");
    assert.deepEqual(rows[0], ["Name", "Value", "Changed"]);
    const byName = Object.fromEntries(rows.slice(1).map(([name, value]) => [name, value]));
    assert.deepEqual(Object.keys(byName), TRICKY.map(([n]) => n).sort().reverse());
    assert.equal(byName["Export comma"], "a,b");
    assert.equal(byName["Export formula"], '\'=HYPERLINK("http://evil","x")');
    assert.equal(byName["Export minus"], "'-2+3");
    assert.equal(byName["Export plus"], "'+45");
    assert.equal(byName["Export at"], "'@SUM(A1)");
    assert.equal(byName["Export tab"], "'\tindented");
    assert.equal(byName["Export lines"], 'one\r\ntwo "quoted"');
    assert.equal(rows[1][2], "2026-11-20 08:00:00.000000");

    const page = await (await t.get("/constants?q=Export&sort=value")).text();
    assert.match(page, /href="\/constants\?q=Export&amp;sort=value&amp;format=csv"/);
    const bad = await t.get("/constants?sort=password&format=csv");
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /Cannot export: Cannot sort by 'password'/);
  } finally {
    await t.close();
  }
});

Deno.test("credentials export has names and usernames, never a password or its token", async () => {
  const t = await testApp();
  try {
    const [{ password }] = await t.db.query<{ password: string }>(
      "SELECT password FROM Credentials ORDER BY name",
    );
    const res = await t.get("/credentials?format=csv");
    const text = new TextDecoder("utf-8", { ignoreBOM: true }).decode(await res.arrayBuffer());
    assert.ok(!text.includes(password), "no token");
    assert.ok(!text.includes("gAAAAA"), "no Fernet token at all");
    const rows = parseCsv(text);
    assert.deepEqual(rows[0], ["Name", "Username", "Changed"]);
    const [{ n }] = await t.db.query<{ n: number }>("SELECT COUNT(*) AS n FROM Credentials");
    assert.equal(rows.length - 1, Number(n));
  } finally {
    await t.close();
  }
});

Deno.test("every list offers its export with the filters it shows", async () => {
  const t = await testApp({ from: "develop" });
  try {
    const cases: [string, RegExp, string[]][] = [
      ["/triggers?status=IDLE", /href="\/triggers\?status=IDLE&amp;format=csv"/, ["Name", "Type"]],
      ["/schedulers?q=x", /href="\/schedulers\?q=x&amp;format=csv"/, ["Machine", "State"]],
      ["/queues?sort=failed", /href="\/queues\?sort=failed&amp;format=csv"/, ["Queue", "New"]],
      ["/logs?q=in", /href="\/logs\?q=in&amp;format=csv"/, ["Process", "Trace"]],
      [
        "/logs/Intake?level=ERROR",
        /href="\/logs\/Intake\?level=ERROR&amp;format=csv"/,
        ["Time", "Level", "Process", "Message", "Id"],
      ],
      [
        "/queues/Intake.Cases?status=FAILED&dir=asc",
        /href="\/queues\/Intake.Cases\?status=FAILED&amp;dir=asc&amp;format=csv"/,
        ["Queue", "Reference", "Status", "Created"],
      ],
    ];
    for (const [path, link, header] of cases) {
      const page = await (await t.get(path)).text();
      assert.match(page, link, path);
      const rows = await csv(t, `${path}&format=csv`);
      assert.deepEqual(rows[0].slice(0, header.length), header, path);
    }
    const triggers = await csv(t, "/triggers?status=IDLE&format=csv");
    const [{ n }] = await t.db.query<{ n: number }>(
      "SELECT COUNT(*) AS n FROM Triggers WHERE process_status = 'IDLE'",
    );
    assert.equal(triggers.length - 1, Number(n));
    assert.ok(triggers.slice(1).every((r) => r[2] === "IDLE"));
    const failed = await csv(t, "/queues/Intake.Cases?status=FAILED&dir=asc&format=csv");
    assert.ok(failed.length > 1);
    assert.ok(failed.slice(1).every((r) => r[0] === "Intake.Cases" && r[2] === "FAILED"));
    const created = failed.slice(1).map((r) => r[3]);
    assert.deepEqual(created, [...created].sort(), "oldest first, as asked");
    const errors = await csv(t, "/logs/Intake?level=ERROR&format=csv");
    assert.ok(errors.length > 1);
    assert.ok(errors.slice(1).every((r) => r[1] === "ERROR" && r[2] === "Intake"));
  } finally {
    await t.close();
  }
});

Deno.test("a log export streams in keyset batches: header first, every row once, in order", async () => {
  const t = await testApp({ from: "develop" });
  try {
    const ROWS = 2_345;
    await t.db.transaction(async (tx) => {
      for (let i = 0; i < ROWS; i++) {
        // Pairs of rows share a time: the id orders them.
        const s = Math.floor(i / 2);
        const hms = [Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60]
          .map((n) => String(n).padStart(2, "0")).join(":");
        await tx.run(
          "INSERT INTO Logs (id, log_time, log_level, process_name, log_message) VALUES (?, ?, ?, ?, ?)",
          [
            newId(t.db.info),
            time(`2026-11-21 ${hms}.000000`),
            i % 3 === 0 ? "ERROR" : "INFO",
            "Bulk",
            i % 7 === 0 ? `=cmd|' /C calc'!A${i}` : `message ${i}`,
          ],
        );
      }
    });
    const res = await t.get("/logs/Bulk?format=csv");
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
    const chunks: string[] = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(decoder.decode(value));
    }
    assert.equal(chunks[0], "\uFEFFTime,Level,Process,Message,Id\r\n", "the header comes alone");
    assert.equal(chunks.length, 1 + Math.ceil(ROWS / 1000), "one chunk per batch of 1,000");
    const rows = parseCsv(chunks.join("")).slice(1);
    assert.equal(rows.length, ROWS);
    assert.equal(new Set(rows.map((r) => r[4])).size, ROWS, "no row twice");
    const keys = rows.map((r) => `${r[0]} ${r[4]}`);
    assert.deepEqual(keys, [...keys].sort().reverse(), "newest first by time, then id");
    assert.ok(rows.filter((r) => r[3].startsWith("'=cmd")).length > 300, "formulas neutralised");
    assert.ok(!rows.some((r) => r[3].startsWith("=")));

    const errors = await csv(t, "/logs/Bulk?level=ERROR&q=message&format=csv");
    assert.equal(
      errors.length - 1,
      Array.from({ length: ROWS }, (_, i) => i)
        .filter((i) => i % 3 === 0 && i % 7 !== 0).length,
    );
    assert.ok(errors.slice(1).every((r) => r[1] === "ERROR" && r[3].startsWith("message")));
  } finally {
    await t.close();
  }
});

Deno.test("the elements of every queue: filtered like one queue's, keyset paged, exported", async () => {
  const t = await testApp({ from: "develop" });
  try {
    for (
      const [queue, status, end] of [
        ["Export.A", "FAILED", "2026-11-24 09:00:00.000000"],
        ["Export.B", "FAILED", "2026-11-24 15:30:00.000000"],
        ["Export.B", "FAILED", "2026-11-25 01:00:00.000000"],
        ["Export.C", "DONE", "2026-11-24 10:00:00.000000"],
      ]
    ) {
      await insertElement(t.db, {
        queue_name: queue,
        status,
        created_date: "2026-11-24 08:00:00.000000",
        end_date: end,
        reference: `${queue} ${end.slice(11, 16)}`,
      });
    }
    const path = "/queues/all?status=FAILED&date=ended&from=2026-11-24T00:00&to=2026-11-24T23:59";
    const res = await t.json(path);
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.deepEqual(
      body.rows.map((r: { reference: string }) => r.reference).sort(),
      ["Export.A 09:00", "Export.B 15:30"],
    );
    assert.equal(body.total, 2);
    const paged = await (await t.json(`${path}&size=1`)).json();
    assert.equal(paged.rows.length, 1);
    const rest = await (await t.json(`${path}&size=1&after=${encodeURIComponent(paged.next)}`))
      .json();
    assert.notEqual(rest.rows[0].id, paged.rows[0].id);

    const html = await (await t.get(path)).text();
    assert.match(html, /<h1>Elements of every queue<\/h1>/);
    assert.match(html, /href="\/queues\/Export.B"/);
    assert.doesNotMatch(html, /id="elements-actions"/, "the list of every queue only reads");
    const exported = await csv(t, `${path}&format=csv`);
    assert.deepEqual(exported.slice(1).map((r) => r[0]).sort(), ["Export.A", "Export.B"]);
  } finally {
    await t.close();
  }
});
