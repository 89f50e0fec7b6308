import assert from "node:assert/strict";
import { serve } from "./main.ts";

Deno.test("a stop lets the requests under way finish, then refuses new ones", async () => {
  let started: () => void;
  const inFlight = new Promise<void>((resolve) => started = resolve);
  const server = serve(async (request) => {
    if (new URL(request.url).pathname === "/slow") {
      started();
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    return new Response("done");
  }, { hostname: "127.0.0.1", port: 0, graceMs: 2000 });
  const base = `http://127.0.0.1:${server.port}`;
  const slow = fetch(`${base}/slow`);
  await inFlight;
  server.stop();
  const response = await slow;
  assert.equal(response.status, 200);
  assert.equal(await response.text(), "done");
  await server.finished;
  await assert.rejects(fetch(`${base}/`));
});

Deno.test("a stop does not wait longer than the grace period", async () => {
  let started: () => void;
  const inFlight = new Promise<void>((resolve) => started = resolve);
  let release: () => void;
  const server = serve(async () => {
    started();
    await new Promise<void>((resolve) => release = resolve);
    return new Response("late");
  }, { hostname: "127.0.0.1", port: 0, graceMs: 100 });
  const hanging = fetch(`http://127.0.0.1:${server.port}/`);
  await inFlight;
  server.stop();
  const stopped = Date.now();
  await server.finished;
  assert.ok(Date.now() - stopped < 2000, "finished after the grace period, not the request");
  release!();
  await (await hanging).body?.cancel();
});
