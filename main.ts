/**
 * Starts OpenOrchestrator Web: reads the configuration, opens the database (creating and
 * seeding the embedded default on first start), builds the app and serves it.
 * @module
 */
import { seedDemo } from "./db/demo.ts";
import { openDatabase } from "./db/open.ts";
import { initSchema, isEmpty } from "./db/schema.ts";
import { loadConfigOrExit } from "./lib/config.ts";
import { escapeControls, logLine } from "./lib/log.ts";
import { resolveAccountSids, resolveWindowsToken } from "./lib/windows_identity.ts";
import { createApp } from "./routes/app.tsx";
import { Poller } from "./lib/poller.ts";
import { serveGuarded } from "./server.ts";

async function main(): Promise<void> {
  const config = loadConfigOrExit("start");
  const embedded = config.database.kind === "sqlite" && config.database.embedded;
  let db;
  try {
    db = await openDatabase(config.database, { create: embedded });
  } catch (error) {
    // A configured SQLite file that is missing or unreadable (SQL Server connects lazily).
    console.error(escapeControls(`Cannot start: OpenOrchestratorSQL: ${(error as Error).message}`));
    Deno.exit(1);
  }
  if (embedded && isEmpty(db.info)) {
    await initSchema(db);
    await seedDemo(db, config.key!);
    logLine(`Created the demo database ${db.info.name} (key: the demo key in the README).`);
  }
  const poller = new Poller(db, { outage: null }, { intervalMs: config.pollSeconds * 1000 });
  poller.start();
  const app = createApp({
    db,
    config,
    poller,
    resolveToken: resolveWindowsToken,
    resolveNames: resolveAccountSids,
    logRequests: true,
  });
  const controller = new AbortController();
  const options = {
    hostname: config.host,
    port: config.port,
    signal: controller.signal,
    onListen: ({ hostname, port }: Deno.NetAddr) =>
      logLine(
        `OpenOrchestrator Web on http://${hostname}:${port}/ (${db.dialect.name}: ${db.info.name})`,
      ),
  };
  // Behind IIS (which times out slow clients itself) the app serves directly; otherwise the
  // timeout relay closes requests that never finish arriving.
  const server = Deno.env.get("HTTP_PLATFORM_PORT")?.trim()
    ? Deno.serve(options, app.fetch)
    : serveGuarded(options, app.fetch);
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
