/**
 * Checks `deno task compile` without compiling (that needs the denort download): the two builds
 * never write the same file, even on a Windows build host (where `deno compile` adds `.exe` to
 * the host build's name), and only the npm packages main.ts reaches are embedded.
 * @module
 */
import assert from "node:assert/strict";

const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", import.meta.url)));

Deno.test("deno task compile: two builds, two files, on any build host", () => {
  const builds = (config.tasks.compile as string).split("&&").map((command) => command.trim());
  assert.equal(builds.length, 2);
  const outputs = builds.map((command) => {
    const output = /--output (\S+)/.exec(command)?.[1];
    assert.ok(output, command);
    // What a Windows build host writes: deno compile adds .exe where it is missing.
    return output.endsWith(".exe") ? output : `${output}.exe`;
  });
  assert.notEqual(outputs[0], outputs[1]);
  assert.equal(outputs[0], "dist/openorchestrator-web.exe", "the README names this file");
  for (const command of builds) {
    assert.match(command, /--exclude-unused-npm/, "only the npm packages main.ts reaches");
  }
});

/** The npm packages a module's graph reaches, as `name@version`. */
async function npmReached(module: string): Promise<string[]> {
  const info = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", module],
    cwd: new URL(".", import.meta.url),
    stdout: "piped",
  }).output();
  assert.ok(info.success);
  const graph = JSON.parse(new TextDecoder().decode(info.stdout));
  return [
    ...new Set(
      (graph.modules as { specifier: string }[])
        .map((m) => m.specifier)
        .filter((s) => s.startsWith("npm:/"))
        .map((s) => s.slice(5).replace(/^(@[^/]+\/[^/]+|[^/]+).*$/, "$1")),
    ),
  ];
}

Deno.test("main.ts never reaches playwright-core or smtp-server, and does reach the database drivers, nodemailer and prom-client", async () => {
  const reached = await npmReached("main.ts");
  assert.ok(!reached.some((s) => s.includes("playwright")), reached.join(", "));
  assert.ok(!reached.some((s) => s.startsWith("smtp-server@")), "the test SMTP server");
  for (const needed of ["mssql", "hono", "fernet", "nodemailer", "prom-client"]) {
    assert.ok(reached.some((s) => s.startsWith(`${needed}@`)), needed);
  }
  // The Workers (each an --include) need nothing main.ts does not already embed.
  for (const worker of ["lib/poll_worker.ts", "db/sqlite_read_worker.ts"]) {
    for (const needed of await npmReached(worker)) assert.ok(reached.includes(needed), needed);
  }
});

Deno.test("deno task compile embeds every Worker main.ts starts", async () => {
  const workers: string[] = [];
  for (const folder of ["lib", "db"]) {
    for await (const entry of Deno.readDir(new URL(folder, import.meta.url))) {
      if (!entry.name.endsWith("_test.ts")) {
        const source = await Deno.readTextFile(new URL(`${folder}/${entry.name}`, import.meta.url));
        if (source.includes(`/// <reference lib="deno.worker" />`)) {
          workers.push(`${folder}/${entry.name}`);
        }
      }
    }
  }
  assert.deepEqual(workers.sort(), ["db/sqlite_read_worker.ts", "lib/poll_worker.ts"]);
  for (const command of (config.tasks.compile as string).split("&&")) {
    for (const worker of workers) assert.match(command, new RegExp(`--include ${worker}\\b`));
  }
});

Deno.test("a request's signal aborts only when its client leaves, in every build", async () => {
  // The config's unstable list reaches `deno run`, `deno test` and `deno compile` alike. Without
  // it Deno aborts the signal after every answer too, and prints a warning to the log.
  assert.ok(config.unstable.includes("no-legacy-abort"));
  const aborted: boolean[] = [];
  const server = Deno.serve({ port: 0, onListen() {} }, (request) => {
    request.signal.addEventListener("abort", () => aborted.push(true));
    return new Response("ok");
  });
  try {
    await (await fetch(`http://127.0.0.1:${server.addr.port}/`)).text();
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(aborted, [], "an answered request's signal stays quiet");
  } finally {
    await server.shutdown();
  }
});
