import assert from "node:assert/strict";
import { insertTimedTrigger, tempDatabase } from "../db/testing.ts";
import { DEMO_KEY } from "./config.ts";
import { formatDbTime } from "./time.ts";

/** A loopback port free a moment ago. */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

async function until(what: string, done: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await done()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Cannot see ${what}: it did not happen within a minute`);
}

Deno.test("the app with OO_ALERTS=on sends a new failure once, not again after a restart, and what failed while it was down", async () => {
  const t = await tempDatabase({ seed: true });
  const dataDir = await Deno.makeTempDir({ prefix: "oo-alerts-data-" });
  const state = `${dataDir}/alerts-state.json`;
  const bodies: { alerts: { kind: string; title: string }[] }[] = [];
  const hook = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    bodies.push(await req.json());
    return new Response("ok");
  });
  const start = () =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL("../main.ts", import.meta.url).pathname],
      env: {
        OpenOrchestratorSQL: `sqlite:///${t.path}`,
        OpenOrchestratorKey: DEMO_KEY,
        PORT: String(freePort()),
        OO_DATA_DIR: dataDir,
        OO_POLL_SECONDS: "1",
        OO_ALERTS: "on",
        OO_ALERT_WEBHOOK_URL: `http://127.0.0.1:${hook.addr.port}/`,
        OO_PUBLIC_URL: "https://rpa.example",
      },
      stdout: "null",
      stderr: "null",
    }).spawn();
  const about = (name: string) =>
    bodies.flatMap((b) => b.alerts).filter((a) => a.title.startsWith(`Trigger "${name}"`));
  const ours = () => about("Alert me");
  let app = start();
  try {
    // The first round (on the poller's worker) only records what the demo data has wrong.
    await until("the state file", async () => (await Deno.stat(state).catch(() => null)) !== null);
    await insertTimedTrigger(t.db, {
      name: "Alert me",
      type: "SINGLE",
      status: "FAILED",
      nextRun: formatDbTime(new Date()),
    });
    await until("the alert", () => ours().length > 0);
    assert.equal(ours()[0].title, 'Trigger "Alert me" (process P) is FAILED');
    const before = bodies.length;
    app.kill("SIGTERM");
    await app.status;
    // While the app is down another trigger fails: the restarted app tells of it (the state file
    // was read, so this is no first start that only records what is wrong).
    await insertTimedTrigger(t.db, {
      name: "While down",
      type: "SINGLE",
      status: "KILLED",
      nextRun: formatDbTime(new Date()),
    });

    // Two rounds after the restart (the state file is written after each): a repeat would have
    // been queued by the first and posted before the second.
    const written = async () => (await Deno.stat(state)).mtime!.getTime();
    let last = await written();
    app = start();
    for (const round of ["first", "second"]) {
      await until(`the ${round} round after the restart`, async () => await written() > last);
      last = await written();
    }
    assert.equal(ours().length, 1, "no repeat after the restart");
    assert.deepEqual(bodies.slice(before).flatMap((b) => b.alerts).map((a) => a.title), [
      'Trigger "While down" (process P) is KILLED',
    ]);
  } finally {
    try {
      app.kill("SIGTERM");
    } catch { /* already stopped */ }
    await app.status;
    await hook.shutdown();
    await t.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});
