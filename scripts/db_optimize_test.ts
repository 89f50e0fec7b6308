import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { missingIndexStatements, RECOMMENDED_INDEXES } from "../db/schema.ts";
import { tempDatabase } from "../db/testing.ts";

const SCRIPT = fileURLToPath(new URL("./db_optimize.ts", import.meta.url));
const CONFIG = fileURLToPath(new URL("../deno.json", import.meta.url));

async function optimize(path: string, ...args: string[]) {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--config", CONFIG, "-A", SCRIPT, ...args],
    env: { OpenOrchestratorSQL: `sqlite:///${path}` },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code, out: text(stdout), err: text(stderr) };
}

Deno.test("db:optimize creates the recommended indexes in a Python-made SQLite file, once", async () => {
  const t = await tempDatabase({ from: "develop" });
  try {
    assert.equal((await missingIndexStatements(t.db)).length, RECOMMENDED_INDEXES.length);
    await t.db.close();
    const first = await optimize(t.path);
    assert.equal(first.code, 0, first.err);
    assert.match(
      first.out,
      /CREATE INDEX ix_oo_web_Logs_process_time ON Logs \(process_name, log_time\)/,
    );
    assert.match(
      first.out,
      new RegExp(`Created ${RECOMMENDED_INDEXES.length} indexes in test\\.db\\.`),
    );
    const again = await optimize(t.path);
    assert.match(again.out, /test\.db has every recommended index\./);
    const bad = await optimize(t.path, "--force");
    assert.equal(bad.code, 2);
    assert.match(bad.err, /unknown option --force/);
  } finally {
    await t.close();
  }
  const reopened = await tempDatabase();
  try {
    assert.deepEqual(await missingIndexStatements(reopened.db), [], "a new database has them");
  } finally {
    await reopened.close();
  }
});
