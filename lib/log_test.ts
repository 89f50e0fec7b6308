import assert from "node:assert/strict";
import { escapeControls, logError, logLine } from "./log.ts";

Deno.test("escapeControls keeps a line on one line and leaves other text alone", () => {
  assert.equal(
    escapeControls("GET /x\nPOST /credentials\r\t\u0000\u001b[2J\u007f\u0085\u2028\u2029 end"),
    "GET /x\\nPOST /credentials\\r\\t\\x00\\x1b[2J\\x7f\\x85\\u2028\\u2029 end",
  );
  assert.equal(escapeControls("KOMMUNE\\søren Æblegrød 😀"), "KOMMUNE\\søren Æblegrød 😀");
});

Deno.test("every line the app writes goes through escapeControls", async () => {
  const root = new URL("../", import.meta.url);
  const files = ["main.ts"];
  for (const dir of ["lib", "routes", "db", "templates"]) {
    for await (const entry of Deno.readDir(new URL(dir, root))) {
      if (/\.tsx?$/.test(entry.name) && !/_test\.ts$|^testing\.ts$/.test(entry.name)) {
        files.push(`${dir}/${entry.name}`);
      }
    }
  }
  const raw: string[] = [];
  for (const file of files) {
    if (file === "lib/log.ts") continue;
    const source = await Deno.readTextFile(new URL(file, root));
    for (const m of source.matchAll(/console\.(?:log|error|warn|info|debug)\(\s*(\w*)/g)) {
      if (m[1] !== "escapeControls") raw.push(`${file}: ${m[0]}`);
    }
  }
  assert.deepEqual(raw, [], "use logLine, logError or escapeControls from lib/log.ts");
});

Deno.test("log lines go out together, soon, and before an error line that follows them", async () => {
  const writes: string[] = [];
  const { log, error } = console;
  console.log = (text: string) => writes.push(`out: ${text}`);
  console.error = (text: string) => writes.push(`err: ${text}`);
  try {
    logLine("GET /queues 200 1.0ms a");
    logLine("GET /logs 200 2.0ms b\n");
    assert.deepEqual(writes, [], "held for the lines after them");
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.deepEqual(writes, ["out: GET /queues 200 1.0ms a\nGET /logs 200 2.0ms b\\n"]);
    logLine("GET /queues 500 3.0ms c");
    logError("Cannot read", new Error("boom"));
    assert.equal(writes.length, 3);
    assert.equal(writes[1], "out: GET /queues 500 3.0ms c");
    assert.match(writes[2], /^err: Cannot read: Error: boom/);
  } finally {
    console.log = log;
    console.error = error;
  }
});
