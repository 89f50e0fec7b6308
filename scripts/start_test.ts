/**
 * `deno task start` itself, as the README runs it: with the task's own permissions it loads the
 * msnodesqlv8 ODBC driver for integrated login, and a server that cannot be reached ends in the
 * banner naming that server (not a crash, not "driver missing").
 * @module
 */
import assert from "node:assert/strict";
import config from "../deno.json" with { type: "json" };

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

Deno.test("deno task start: integrated login to an unreachable server shows the banner", async () => {
  const args = config.tasks.start.split(/\s+/).slice(1); // after "deno"
  assert.deepEqual(args.slice(-1), ["main.ts"]);
  const port = freePort();
  const child = new Deno.Command(Deno.execPath(), {
    args,
    cwd: new URL("..", import.meta.url).pathname,
    env: {
      // FreeTDS stands in for Microsoft's ODBC driver; no user means integrated security.
      OpenOrchestratorSQL: "mssql+pyodbc://127.0.0.1,1/OO_start?driver=FreeTDS",
      PORT: String(port),
      NO_COLOR: "1",
    },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  try {
    let banner = "";
    for (let i = 0; i < 300 && !banner.includes("OO_start"); i++) {
      await new Promise((r) => setTimeout(r, 100));
      banner = await fetch(`http://127.0.0.1:${port}/health/banner`).then((r) => r.text())
        .catch(() => "");
    }
    assert.match(banner, /cannot be reached/);
    assert.match(banner, /SQL Server 127\.0\.0\.1,1 \(database OO_start\)/);
    assert.doesNotMatch(banner, /did not load|msnodesqlv8/);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.equal(health.status, 503);
    await health.body?.cancel();
  } finally {
    child.kill("SIGTERM");
    const { code } = await child.status;
    const stderr = new TextDecoder().decode(await new Response(child.stderr).arrayBuffer());
    assert.doesNotMatch(stderr, /Uncaught|panicked/, stderr);
    void code;
  }
});

Deno.test("the compiled executable carries msnodesqlv8: it is in main.ts's module graph", async () => {
  // deno compile (with --exclude-unused-npm) embeds the npm packages main.ts's modules reach,
  // with their prebuilt .node files (win32-x64 included), and extracts a native addon to a temp
  // file when it is loaded.
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", "main.ts"],
    cwd: new URL("..", import.meta.url).pathname,
    stdout: "piped",
    stderr: "inherit",
  }).output();
  const info = JSON.parse(new TextDecoder().decode(output.stdout));
  assert.ok("msnodesqlv8@5.5.0" in info.npmPackages, Object.keys(info.npmPackages).join(", "));
  const modules = info.modules.map((m: { specifier: string }) => m.specifier);
  assert.ok(modules.includes("npm:/mssql@12.7.14/msnodesqlv8.js"));
  // What --exclude-unused-npm keeps: the packages main.ts's modules reach.
  assert.ok(modules.includes("npm:/msnodesqlv8@5.5.0"), "reached, so embedded");
  // Node-API addons need --allow-ffi, in the compiled executable as under deno run.
  for (const build of config.tasks.compile.split("&&")) assert.match(build, /--allow-ffi/);
  assert.match(config.tasks.start, /--allow-ffi/);
});
