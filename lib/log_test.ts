import assert from "node:assert/strict";
import { escapeControls } from "./log.ts";

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
