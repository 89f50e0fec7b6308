/**
 * The Prometheus metrics (`prom-client`): the poller's snapshot written as gauges when they are
 * read (never a query of their own), and the duration of every request by route pattern.
 * @module
 */
import { Gauge, Histogram, Registry } from "prom-client";
import type { Health } from "../db/connection.ts";
import type { Snapshot } from "./poller.ts";
import { parseDbTime } from "./time.ts";

/** One app's metrics (each app its own registry: tests build many apps). */
export class Metrics {
  readonly #registry = new Registry();
  readonly #requests: Histogram<"method" | "route" | "status">;
  readonly #gauges: Record<string, Gauge<string>>;

  constructor() {
    const registers = [this.#registry];
    this.#requests = new Histogram({
      name: "oo_http_request_duration_seconds",
      help: "Time to answer a request, by method, route pattern and status.",
      labelNames: ["method", "route", "status"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    const gauge = (name: string, help: string, labelNames: string[] = []) =>
      new Gauge({ name, help, labelNames, registers });
    this.#gauges = {
      elements: gauge("oo_queue_elements", "Queue elements by queue and status.", [
        "queue",
        "status",
      ]),
      oldest: gauge(
        "oo_queue_oldest_new_age_seconds",
        "Age of the oldest new element, per queue that has one.",
        ["queue"],
      ),
      errors: gauge("oo_error_logs_last_hour", "Error logs in the last hour, by process.", [
        "process",
      ]),
      triggers: gauge("oo_triggers", "Triggers by status.", ["status"]),
      schedulers: gauge(
        "oo_schedulers",
        "Scheduler machines by state (online: pinged within 60 s; stale: 5 min).",
        ["state"],
      ),
      database: gauge("oo_database_up", "1 when the database answered the poller's last round."),
      lastRound: gauge(
        "oo_poller_last_round_timestamp_seconds",
        "When the poller's last complete round ended (Unix time).",
      ),
      roundDuration: gauge(
        "oo_poller_last_round_duration_seconds",
        "How long the poller's last complete round took.",
      ),
    };
  }

  /** Counts one answered request. `route` is the route's pattern, never the raw path. */
  observeRequest(request: { method: string; route: string; status: number; seconds: number }) {
    const { method, route, status, seconds } = request;
    this.#requests.observe({ method, route, status: String(status) }, seconds);
  }

  /** The exposition text: the snapshot as it is now, and the request histogram. */
  async render(snapshot: Snapshot, health: Health, now: Date = new Date()): Promise<string> {
    const g = this.#gauges;
    for (const gauge of Object.values(g)) gauge.reset();
    for (const q of snapshot.queues?.rows ?? []) {
      for (const [status, n] of Object.entries(q.counts)) {
        g.elements.set({ queue: q.name, status }, n);
      }
      if (q.oldestNew !== null) {
        const age = (now.getTime() - parseDbTime(q.oldestNew).getTime()) / 1000;
        g.oldest.set({ queue: q.name }, Math.max(0, Math.round(age)));
      }
    }
    for (const e of snapshot.recentErrors ?? []) g.errors.set({ process: e.name }, e.n);
    for (const [status, n] of Object.entries(snapshot.triggers ?? {})) {
      g.triggers.set({ status }, n);
    }
    for (const [state, n] of Object.entries(snapshot.schedulers ?? {})) {
      g.schedulers.set({ state }, n);
    }
    g.database.set(health.outage === null ? 1 : 0);
    if (snapshot.at) g.lastRound.set(snapshot.at.getTime() / 1000);
    if (snapshot.roundMs !== undefined) g.roundDuration.set(snapshot.roundMs / 1000);
    return await this.#registry.metrics();
  }

  /** The exposition format's content type. */
  get contentType(): string {
    return this.#registry.contentType;
  }
}
