/**
 * Starts OpenOrchestrator Web: reads the configuration, opens the database (creating and
 * seeding the embedded default on first start), builds the app and serves it. With the argument
 * `doctor` it runs the self-check instead (the compiled executable has no other entry point).
 * @module
 */
import { Alerter } from "./lib/alerts.ts";
import { seedDemo } from "./db/demo.ts";
import { keepDemoAlive } from "./db/demo_activity.ts";
import { openDatabase } from "./db/open.ts";
import { initSchema, isEmpty } from "./db/schema.ts";
import { loadConfigOrExit } from "./lib/config.ts";
import { escapeControls, flushLog, logLine } from "./lib/log.ts";
import { resolveAccountSids, resolveWindowsToken } from "./lib/windows_identity.ts";
import { createApp } from "./routes/app.tsx";
import { Poller } from "./lib/poller.ts";
import { doctorMain } from "./scripts/doctor.ts";
import { SlowClientGuard } from "./lib/relay.ts";

async function main(): Promise<void> {
  const config = loadConfigOrExit("start");
  const embedded = config.database.kind === "sqlite" && config.database.embedded;
  let db;
  try {
    // SQLite reads block the thread they run on: the scans (text searches, histories) run on a
    // reader Worker; a page's quick index reads stay here, cheaper than the trip. One reader: a
    // second made scans under load twice as fast but cost 20 MB, past the memory budget.
    db = await openDatabase(config.database, { create: embedded, readers: 1 });
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
  // SQLite reads block the thread they run on: the aggregates are read on a Worker.
  const poller = new Poller(db, { outage: null }, {
    intervalMs: config.pollSeconds * 1000,
    worker: db.dialect.name === "sqlite",
  });
  // Alerts go out from the instances where they are switched on (one, by the README's advice).
  const alerter = config.alerts.enabled
    ? new Alerter(config.alerts, {
      statePath: `${config.dataDir}/alerts-state.json`,
      publicUrl: config.publicUrl,
    })
    : null;
  if (alerter) poller.onRound((snapshot, health) => alerter.observe(snapshot, health));
  poller.start();
  keepDemoAlive(db, config.database); // the embedded demo only: schedulers ping, rows arrive
  const app = createApp({
    db,
    config,
    poller,
    resolveToken: resolveWindowsToken,
    resolveNames: resolveAccountSids,
    logRequests: true,
  });
  const server = serve(app.fetch, {
    hostname: config.host,
    port: config.port,
    // Behind IIS (which times out slow clients itself) the app serves directly; otherwise the
    // relay closes requests that never finish arriving.
    guard: Deno.env.get("HTTP_PLATFORM_PORT")?.trim() ? undefined : new SlowClientGuard(),
    onListen: ({ hostname, port }) =>
      logLine(
        `OpenOrchestrator Web on http://${hostname}:${port}/ (${db.dialect.name}: ${db.info.name})`,
      ),
  });
  for (
    const signal of Deno.build.os === "windows"
      ? ["SIGINT", "SIGBREAK"] as const
      : ["SIGINT", "SIGTERM"] as const
  ) {
    Deno.addSignalListener(signal, () => server.stop());
  }
  await server.finished;
  poller.stop();
  alerter?.stop();
  await db.close();
  flushLog(); // the request log's last lines, now rather than on its timer
}

/** How long a stop waits for requests under way before it closes their connections. */
const GRACE_MS = 5000;

/**
 * Serves `handler` until `stop()`: then no new request is taken and `finished` resolves when the
 * ones under way have finished, or after `graceMs`, whichever comes first (the process then
 * exits, closing what is left), so the database is closed only after them. With a `guard`, the
 * public address is its relay and the server listens on a loopback port behind it.
 */
export function serve(
  handler: Deno.ServeHandler<Deno.NetAddr>,
  options: {
    hostname: string;
    port: number;
    graceMs?: number;
    onListen?: (addr: Deno.NetAddr) => void;
    guard?: SlowClientGuard;
  },
): { finished: Promise<void>; port: number; stop(): void } {
  const { guard } = options;
  const onListen = options.onListen ?? (() => {});
  const server = Deno.serve({
    hostname: guard ? "127.0.0.1" : options.hostname,
    port: guard ? 0 : options.port,
    onListen: guard ? () => {} : onListen,
  }, guard ? guard.wrap(handler) : handler);
  const address = guard ? guard.listen(options, server.addr.port) : server.addr;
  if (guard) onListen(address);
  let graceOver: () => void;
  const grace = new Promise<void>((resolve) => graceOver = resolve);
  let timer: ReturnType<typeof setTimeout> | undefined;
  return {
    finished: Promise.race([server.finished, grace]).finally(() => clearTimeout(timer)),
    port: address.port,
    stop() {
      if (timer !== undefined) return;
      timer = setTimeout(graceOver, options.graceMs ?? GRACE_MS);
      guard?.close();
      server.shutdown();
    },
  };
}

if (import.meta.main) {
  // `openorchestrator-web.exe doctor`: the self-check, on a server with no Deno installed.
  if (Deno.args[0] === "doctor") Deno.exit(await doctorMain());
  await main();
}
