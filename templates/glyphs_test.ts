import assert from "node:assert/strict";
import { testApp } from "../routes/testing.ts";

/** The views of the demo: every area's page and list fragment, and their larger variants. */
const VIEWS = [
  "/dashboard",
  "/queues",
  "/queues/Intake.Cases",
  "/queues/Intake.Cases?size=200",
  "/queues/Intake.Cases/performance",
  "/logs",
  "/logs/all",
  "/logs/all?level=ERROR",
  "/triggers",
  "/triggers?size=200",
  "/triggers/forecast?window=7d",
  "/triggers/new",
  "/constants",
  "/credentials",
  "/schedulers",
  "/settings",
  "/search?q=intake",
  "/search?q=zzz-nothing",
];

Deno.test("the views write no character past Latin-1: each page stays a one-byte string", async () => {
  const t = await testApp();
  try {
    await t.poller.tick();
    for (const path of VIEWS) {
      for (const headers of [{}, { "HX-Request": "true" }] as Record<string, string>[]) {
        const response = await t.get(path, headers);
        assert.equal(response.status, 200, path);
        const wide = (await response.text()).match(/[\u0100-\uffff]/g) ?? [];
        assert.deepEqual(wide, [], `${path} ${JSON.stringify(headers)}`);
      }
    }
  } finally {
    await t.close();
  }
});

Deno.test("the templates hold no character past ASCII outside comments: GLYPHS writes them", async () => {
  const found: string[] = [];
  for await (const entry of Deno.readDir(new URL(".", import.meta.url))) {
    if (!/\.tsx?$/.test(entry.name) || /_test\.tsx?$/.test(entry.name)) continue;
    const source = await Deno.readTextFile(new URL(entry.name, import.meta.url));
    source.split("\n").forEach((line, i) => {
      if (/^\s*(\/\/|\/\*|\*)/.test(line)) return;
      if (/[\u0080-\uffff]/.test(line)) found.push(`templates/${entry.name}:${i + 1}`);
    });
  }
  assert.deepEqual(found, []);
});
