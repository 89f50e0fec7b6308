import assert from "node:assert/strict";
import config from "../deno.json" with { type: "json" };
import { runDoctor } from "../db/doctor.ts";
import { openDatabase } from "../db/open.ts";
import { tempDatabase } from "../db/testing.ts";

/** Runs `deno task doctor` with the task's own permissions against an SQLite file. */
async function doctor(path: string): Promise<{ code: number; out: string }> {
  const args = config.tasks.doctor.split(/\s+/).slice(1);
  const output = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: new URL("..", import.meta.url).pathname,
    env: { OpenOrchestratorSQL: `sqlite:///${path}`, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code: output.code, out: text.decode(output.stdout) + text.decode(output.stderr) };
}

function statusOf(out: string, check: string): string | undefined {
  const line = out.split("\n").find((l) => l.slice(6).startsWith(`${check} `));
  return line?.slice(0, 4).trim();
}

Deno.test("deno task doctor on the demo database: every check OK, nothing left behind", async () => {
  const t = await tempDatabase({ seed: true });
  try {
    const before = await t.db.query("SELECT * FROM Constants ORDER BY name");
    const { code, out } = await doctor(t.path);
    assert.equal(code, 0, out);
    for (
      const check of ["reachable", "schema", "id format", "indexes", "readers and writers"]
    ) {
      assert.equal(statusOf(out, check), "OK", `${check}\n${out}`);
    }
    for (const page of ["Constants", "Triggers", "Queues", "queue elements", "Logs", "Dashboard"]) {
      assert.equal(statusOf(out, `read: ${page}`), "OK", `${page}\n${out}`);
    }
    assert.equal(statusOf(out, "writes"), "OK", out);
    assert.match(out, /\d+ checks: 0 failed/);
    assert.deepEqual(await t.db.query("SELECT * FROM Constants ORDER BY name"), before);
    const [left] = await t.db.query<{ n: number }>(
      "SELECT COUNT(*) AS n FROM Logs WHERE process_name LIKE 'oo-web-doctor-%'",
    );
    assert.equal(Number(left.n), 0, "the writes were rolled back");
  } finally {
    await t.close();
  }
});

Deno.test("deno task doctor on a database the Python OpenOrchestrator made", async () => {
  const t = await tempDatabase({ from: "develop" });
  try {
    const { code, out } = await doctor(t.path);
    assert.equal(code, 0, out);
    assert.match(out, /OK {4}schema +revision 9698388a0709/);
    assert.equal(statusOf(out, "id format"), "OK");
    assert.match(out, /WARN {2}indexes +missing: ix_oo_web_Logs_process_time/);
    assert.equal(statusOf(out, "writes"), "OK", out);
  } finally {
    await t.close();
  }
});

Deno.test("deno task doctor exits non-zero on a FAIL (a file without the tables)", async () => {
  const t = await tempDatabase({ empty: true });
  try {
    const { code, out } = await doctor(t.path);
    assert.equal(code, 1, out);
    assert.match(out, /FAIL {2}schema +missing tables: Constants/);
  } finally {
    await t.close();
  }
});

Deno.test("the doctor reports a database it may not write to", async () => {
  const t = await tempDatabase({ seed: true });
  const readOnly = await openDatabase({ kind: "sqlite", path: t.path, embedded: false }, {
    readOnly: true,
  });
  try {
    const checks = await runDoctor(readOnly);
    const writes = checks.find((c) => c.check === "writes")!;
    assert.equal(writes.status, "FAIL");
    assert.match(writes.result, /readonly|read-only/i);
  } finally {
    await readOnly.close();
    await t.close();
  }
});

Deno.test("the executable's own entry point runs the self-check: main.ts doctor", async () => {
  const t = await tempDatabase({ empty: true });
  try {
    const output = await new Deno.Command(Deno.execPath(), {
      args: [...config.tasks.start.split(/\s+/).slice(1), "doctor"],
      cwd: new URL("..", import.meta.url).pathname,
      env: { OpenOrchestratorSQL: `sqlite:///${t.path}`, NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const out = new TextDecoder().decode(output.stdout);
    assert.equal(output.code, 1, out);
    assert.match(out, /FAIL {2}schema +missing tables/);
  } finally {
    await t.close();
  }
});
