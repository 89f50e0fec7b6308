/**
 * The alerter: after every poller round it compares what the snapshot shows with what it already
 * sent, and queues what is new for every channel, without ever making the poller wait.
 *
 * - De-duplicated and rate-limited per subject: a subject's episode is sent once, and a subject
 *   gets at most one alert per `repeatMinutes` (what comes meanwhile waits for the window).
 * - One round's alerts are one message: a digest when there are several.
 * - The state (what was sent, since when the database is away, the messages not yet delivered)
 *   is a JSON file in the app's data folder, written after every change, so a restart neither
 *   repeats an alert nor loses one. Its very first round only records what is already wrong.
 * - A channel that fails is retried with a doubling wait (up to 30 min) for a day; the other
 *   channels do not wait for it.
 * @module
 */
import type { Health } from "../db/connection.ts";
import type { AlertConfig } from "./config.ts";
import { logLine } from "./log.ts";
import type { Snapshot } from "./poller.ts";
import { formatDbTime } from "./time.ts";
import { type ChannelName, configuredChannels, type Message, send } from "./alert_channels.ts";
import { type Alert, currentAlerts, databaseAlert } from "./alert_rules.ts";

/** A message waiting for one channel. */
type Pending = {
  channel: ChannelName;
  message: Message;
  attempts: number;
  /** When it was queued and when to try next (ms since the epoch). */
  queuedAt: number;
  nextAt: number;
};

/** What the state file holds. */
type AlertState = {
  /** Per subject: the last episode sent and when (ms since the epoch). */
  sent: Record<string, { key: string; at: number }>;
  /** When the database stopped answering (ms since the epoch), or null. */
  outageSince: number | null;
  outbox: Pending[];
};

/** The longest wait between two tries of a failing channel. */
const MAX_RETRY_MS = 30 * 60_000;
/** A message that could not be delivered for this long is dropped (with a log line). */
const GIVE_UP_MS = 24 * 60 * 60_000;
/** A subject that raised nothing for this long is forgotten. */
const FORGET_MS = 7 * 24 * 60 * 60_000;

/** What the alerter needs besides its configuration. */
export type AlerterOptions = {
  /** The state file (in the app's data folder). */
  statePath: string;
  /** The address links start with. */
  publicUrl: string;
  /** The clock (tests move it). */
  now?: () => Date;
  /** The first retry's wait; it doubles with every failure (default 30 s). */
  retryMs?: number;
};

/** Turns poller rounds into alerts on the configured channels. */
export class Alerter {
  #config: AlertConfig;
  #options: AlerterOptions;
  #state: AlertState;
  /** False until a full round was seen, when there was no state file: nothing is sent for it. */
  #primed: boolean;
  #delivering: Promise<void> | null = null;
  #again = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;

  constructor(config: AlertConfig, options: AlerterOptions) {
    this.#config = config;
    this.#options = options;
    const loaded = readState(options.statePath);
    this.#state = loaded ?? { sent: {}, outageSince: null, outbox: [] };
    this.#primed = loaded !== null;
    if (this.#state.outbox.length) this.#kick();
  }

  #now(): Date {
    return this.#options.now?.() ?? new Date();
  }

  /** The messages not delivered yet: their channel and how often they were tried. */
  get pending(): { channel: ChannelName; attempts: number }[] {
    return this.#state.outbox.map((p) => ({ channel: p.channel, attempts: p.attempts }));
  }

  /**
   * Reads one round: queues what is new and returns at once (the poller calls it after every
   * round, whether the database answered or not).
   */
  observe(snapshot: Snapshot, health: Health): void {
    const now = this.#now();
    const state = this.#state;
    const due: Alert[] = [];
    const { publicUrl } = this.#options;
    if (health.outage !== null) {
      state.outageSince ??= now.getTime();
    } else if (state.outageSince !== null) {
      const since = new Date(state.outageSince);
      // "Back" only follows an outage that was reported, and is never held back.
      if (state.sent.database?.key === formatDbTime(since)) {
        due.push(databaseAlert("database_back", { outageSince: since, publicUrl }));
      }
      state.outageSince = null;
    }
    const alerts = currentAlerts({
      // While the database is away the snapshot is old: only the outage itself is news.
      snapshot: health.outage === null ? snapshot : {},
      outageSince: state.outageSince === null ? null : new Date(state.outageSince),
      now,
    }, { publicUrl, ...this.#config });
    const repeatMs = this.#config.repeatMinutes * 60_000;
    const priming = !this.#primed && health.outage === null && snapshot.at !== undefined;
    for (const alert of alerts) {
      const last = state.sent[alert.subject];
      if (last?.key === alert.key) continue;
      if (priming && alert.kind !== "database_unreachable") {
        state.sent[alert.subject] = { key: alert.key, at: 0 };
        continue;
      }
      if (last && now.getTime() - last.at < repeatMs) continue;
      state.sent[alert.subject] = { key: alert.key, at: now.getTime() };
      due.push(alert);
    }
    if (priming) this.#primed = true;
    const current = new Set(alerts.map((a) => a.subject));
    for (const [subject, last] of Object.entries(state.sent)) {
      if (!current.has(subject) && now.getTime() - last.at > FORGET_MS) delete state.sent[subject];
    }
    for (const channel of due.length ? configuredChannels(this.#config) : []) {
      state.outbox.push({
        channel,
        message: { alerts: due },
        attempts: 0,
        queuedAt: now.getTime(),
        nextAt: now.getTime(),
      });
    }
    this.#save();
    if (due.length) this.#kick();
  }

  /** Delivers what is due now; resolves when that try is over (tests await it). */
  flush(): Promise<void> {
    if (this.#delivering) {
      this.#again = true;
      return this.#delivering;
    }
    this.#delivering = this.#deliver().finally(() => {
      this.#delivering = null;
      if (this.#again && !this.#stopped) {
        this.#again = false;
        this.#kick();
      }
    });
    return this.#delivering;
  }

  /** Stops the retry timer (the state file keeps what is still to deliver). */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  #kick(): void {
    if (!this.#stopped) this.flush().catch(() => {});
  }

  async #deliver(): Promise<void> {
    const now = this.#now().getTime();
    const state = this.#state;
    const ready = state.outbox.filter((p) => p.nextAt <= now);
    await Promise.all(ready.map(async (pending) => {
      try {
        await send(this.#config, { channel: pending.channel, message: pending.message });
        state.outbox = state.outbox.filter((p) => p !== pending);
      } catch (error) {
        pending.attempts++;
        const wait = Math.min(
          (this.#options.retryMs ?? 30_000) * 2 ** (pending.attempts - 1),
          MAX_RETRY_MS,
        );
        pending.nextAt = this.#now().getTime() + wait;
        logLine(
          `Alert on ${pending.channel} not delivered (try ${pending.attempts}, next in ${
            Math.round(wait / 1000)
          } s): ${(error as Error).message}`,
        );
        if (now - pending.queuedAt > GIVE_UP_MS) {
          state.outbox = state.outbox.filter((p) => p !== pending);
          logLine(`Alert on ${pending.channel} dropped: not delivered for a day.`);
        }
      }
    }));
    this.#save();
    clearTimeout(this.#timer);
    if (state.outbox.length && !this.#stopped) {
      const next = Math.min(...state.outbox.map((p) => p.nextAt));
      const timer = setTimeout(() => this.#kick(), Math.max(0, next - this.#now().getTime()));
      Deno.unrefTimer(timer);
      this.#timer = timer;
    }
  }

  #save(): void {
    const path = this.#options.statePath;
    try {
      Deno.mkdirSync(path.replace(/[\\/][^\\/]*$/, "") || ".", { recursive: true });
      Deno.writeTextFileSync(`${path}.tmp`, JSON.stringify(this.#state));
      Deno.renameSync(`${path}.tmp`, path);
    } catch (error) {
      logLine(`Cannot save the alerts' state: ${(error as Error).message}`);
    }
  }
}

/** The state file's contents, or null when there is none (or it cannot be read). */
function readState(path: string): AlertState | null {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) {
      logLine(`Cannot read the alerts' state: ${(error as Error).message}`);
    }
    return null;
  }
  try {
    const state = JSON.parse(text) as AlertState;
    if (typeof state.sent !== "object" || !Array.isArray(state.outbox)) {
      throw new Error("bad shape");
    }
    return state;
  } catch {
    logLine(
      `Cannot read the alerts' state ${path}: it is not what this app wrote.`,
    );
    return null;
  }
}

/** What a test alert did on one channel: `error` is null when it went. */
export type TestResult = { channel: ChannelName; error: string | null };

/**
 * Sends a test alert on every configured channel at once (whether alerts are on here or not)
 * and says per channel what happened.
 */
export async function sendTestAlert(
  config: AlertConfig,
  options: { publicUrl: string; user: string; now?: Date },
): Promise<TestResult[]> {
  const alert: Alert = {
    kind: "test",
    subject: "test",
    key: "test",
    title: `A test alert, sent by ${options.user} from the Settings page`,
    since: formatDbTime(options.now ?? new Date()),
    link: `${options.publicUrl}/settings`,
  };
  return await Promise.all(
    configuredChannels(config).map(async (channel) => {
      try {
        await send(config, { channel, message: { alerts: [alert], test: true } });
        return { channel, error: null };
      } catch (error) {
        return { channel, error: (error as Error).message };
      }
    }),
  );
}
