/**
 * Starts OpenOrchestrator Web: reads the configuration, opens the database (creating and
 * seeding the embedded default on first start), builds the app and serves it.
 * @module
 */
import { seedDemo } from "./db/demo.ts";
import { keepDemoAlive } from "./db/demo_activity.ts";
import { openDatabase } from "./db/open.ts";
import { initSchema, isEmpty } from "./db/schema.ts";
import { loadConfigOrExit } from "./lib/config.ts";
import { resolveWindowsToken } from "./lib/windows_identity.ts";
import { createApp } from "./routes/app.tsx";
import { Poller } from "./lib/poller.ts";

async function main(): Promise<void> {
  const config = loadConfigOrExit("start");
  const embedded = config.database.kind === "sqlite" && config.database.embedded;
  let db;
  try {
    db = await openDatabase(config.database, { create: embedded });
  } catch (error) {
    // A configured SQLite file that is missing or unreadable (SQL Server connects lazily).
    console.error(`Cannot start: OpenOrchestratorSQL: ${(error as Error).message}`);
    Deno.exit(1);
  }
  if (embedded && isEmpty(db.info)) {
    await initSchema(db);
    await seedDemo(db, config.key!);
    console.log(`Created the demo database ${db.info.name} (key: the demo key in the README).`);
  }
  const poller = new Poller(db, { outage: null }, { intervalMs: config.pollSeconds * 1000 });
  poller.start();
  keepDemoAlive(db, config.database); // the embedded demo only: schedulers ping, rows arrive
  const app = createApp({
    db,
    config,
    poller,
    resolveToken: resolveWindowsToken,
    logRequests: true,
  });
  const controller = new AbortController();
  const server = Deno.serve({
    hostname: config.host,
    port: config.port,
    signal: controller.signal,
    onListen: ({ hostname, port }) =>
      console.log(
        `OpenOrchestrator Web on http://${hostname}:${port}/ (${db.dialect.name}: ${db.info.name})`,
      ),
  }, app.fetch);
  const stop = () => controller.abort();
  for (
    const signal of Deno.build.os === "windows"
      ? ["SIGINT", "SIGBREAK"] as const
      : ["SIGINT", "SIGTERM"] as const
  ) {
    Deno.addSignalListener(signal, stop);
  }
  await server.finished;
  poller.stop();
  await db.close();
}

if (import.meta.main) await main();
