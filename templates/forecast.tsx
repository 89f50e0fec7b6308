/**
 * The schedule forecast page: what the schedulers will start in the next 24 hours or 7 days, one
 * row per trigger on a time axis drawn as SVG (colours from classes: no inline style), grouped by
 * the machines that may run it, with the collisions, triggers that never run, skipped runs and due
 * queue triggers listed above it. Every run links to its trigger.
 * @module
 */
import type { Child } from "hono/jsx";
import type { Collision, Forecast, ForecastRow, MachineState, Skipped } from "../lib/forecast.ts";
import { FORECAST_WINDOWS, type ForecastWindow } from "../lib/forecast.ts";
import { formatCount } from "../lib/format.ts";
import type { DbTime } from "../lib/time.ts";
import { dayLabel } from "./chart.tsx";
import { WindowChoice } from "./filters.tsx";
import { MachineStateBadge } from "./badges.tsx";
import { triggerPath } from "./paths.ts";
import { GLYPHS } from "./glyphs.tsx";

/** The track's width in SVG units. */
const WIDTH = 1000;
/** The narrowest mark, in SVG units, so a single run stays visible on a phone. */
const MARK = 6;
/** The axis ticks of each window: how many, and the hours between them. */
const TICKS: Record<ForecastWindow, { count: number; hours: number }> = {
  "24h": { count: 8, hours: 3 },
  "7d": { count: 7, hours: 24 },
};

/** The triggers a collision names; the others are counted. */
const NAMED = 5;
/** The items each list of the flagged triggers shows; the timeline marks them all. */
const LISTED = 25;

/** After a blocking trigger's name in a collision. */
const BLOCKING = " (blocking)";

const SKIPPED_WORDS: Record<Skipped, string> = {
  paused: "paused",
  failed: "failed: waits for a reset",
  killed: "killed: waits for a reset",
  other: "in a status the scheduler does not start",
};

/** The path of the forecast of a window. */
function forecastPath(window: ForecastWindow): string {
  return window === "24h" ? "/triggers/forecast" : `/triggers/forecast?window=${window}`;
}

/** A stored time's minute as a number (naive: no zone), quickly: a page places thousands. */
function minuteOf(time: DbTime): number {
  const n = (from: number, to: number) => Number(time.slice(from, to));
  return Date.UTC(n(0, 4), n(5, 7) - 1, n(8, 10), n(11, 13), n(14, 16));
}

/** "Mon 30 10:00". */
function when(time: DbTime): string {
  const day = time.slice(0, 10);
  let label = DAY_LABELS.get(day);
  if (label === undefined) {
    if (DAY_LABELS.size > 1000) DAY_LABELS.clear();
    DAY_LABELS.set(day, label = dayLabel(day));
  }
  return `${label} ${time.slice(11, 16)}`;
}

/** The labels of the days seen (a page names a few days thousands of times). */
const DAY_LABELS = new Map<string, string>();

/** "45 s", "12 min", "1 h 5 min". */
function duration(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h${minutes % 60 ? ` ${minutes % 60} min` : ""}`;
}

function count(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

function TriggerLink(props: { id: string; name: string }) {
  return <a href={triggerPath(props.id)}>{props.name}</a>;
}

function MachineChip(props: { name: string; state: MachineState }) {
  return (
    <span class="chip">
      {props.name} <MachineStateBadge state={props.state} />
    </span>
  );
}

/**
 * Collisions of the same triggers on the same machines at the same time of day, with the days
 * they happen on (a daily pair is one line, not seven).
 */
function repeated(collisions: Collision[]): { days: DbTime[]; collision: Collision }[] {
  const found = new Map<string, { days: DbTime[]; collision: Collision }>();
  for (const c of collisions) {
    const key = JSON.stringify([c.at.slice(11, 16), c.machines, c.certain, c.triggers]);
    const seen = found.get(key);
    if (seen) seen.days.push(c.at);
    else found.set(key, { days: [c.at], collision: c });
  }
  return [...found.values()];
}

/** One collision in words: when, who runs first, who waits and how long at most. */
function CollisionItem(props: { days: DbTime[]; collision: Collision }) {
  const { collision: c, days } = props;
  return (
    <li>
      <strong>
        {days.length === 1
          ? when(c.at)
          : `${c.at.slice(11, 16)}, ${days.length} days (${
            days.map((d) => dayLabel(d.slice(0, 10))).join(", ")
          })`}
      </strong>{" "}
      on {c.machines.join(", ")}
      {c.certain ? ": " : ", if they land on the same machine: "}
      {c.triggers.slice(0, NAMED).map((t, i) => (
        <>
          {i > 0 && "; "}
          <TriggerLink id={t.id} name={t.trigger_name} />
          {t.is_blocking && <small class="muted">{BLOCKING}</small>} {i === 0
            ? "starts first"
            : t.wait_seconds === null
            ? "waits (how long is not known: no run times recorded)"
            : `waits up to ${duration(t.wait_seconds)}`}
        </>
      ))}
      {c.triggers.length > NAMED && `; and ${c.triggers.length - NAMED} more wait`}
    </li>
  );
}

/** The count of a list's items left out. */
function More(props: { total: number }) {
  return props.total > LISTED
    ? <p class="muted">And {props.total - LISTED} more, marked in the timeline below.</p>
    : null;
}

/** The lists of what needs attention. */
function Attention(props: { forecast: Forecast }) {
  const { forecast: f } = props;
  const rows = f.groups.flatMap((g) => g.rows);
  const never = rows.filter((r) => r.never_runs);
  const skipped = rows.filter((r) => r.skipped && !r.never_runs);
  const due = rows.filter((r) => r.type === "QUEUE" && !r.skipped && !r.never_runs);
  const problems = rows.filter((r) => r.problem);
  return (
    <div class="dash-grid forecast-flags">
      <section class={`card dash-item ${f.collision_count ? "attention" : "calm"}`}>
        <h2>Collisions ({formatCount(f.collision_count)})</h2>
        <p class="muted">
          Runs due in the same minute where one is blocking and they may run on the same machine: a
          blocking run starts only on an idle machine, and nothing starts beside it.
        </p>
        {f.collision_count > f.collisions.length && (
          <p class="muted">The first {f.collisions.length} are listed.</p>
        )}
        <ul class="dash-list">
          {repeated(f.collisions).map((c) => <CollisionItem {...c} />)}
        </ul>
      </section>
      <section class={`card dash-item ${never.length ? "attention" : "calm"}`}>
        <h2>Never run ({never.length})</h2>
        <p class="muted">Their whitelist names only machines that are offline or never pinged.</p>
        <ul class="dash-list">
          {never.slice(0, LISTED).map((r) => (
            <li>
              <TriggerLink id={r.id} name={r.trigger_name} />: {count(r.run_count, "run")} on{" "}
              {r.never_runs!.map((m) => `${m.name} (${m.state})`).join(", ")}
            </li>
          ))}
        </ul>
        <More total={never.length} />
      </section>
      <section class={`card dash-item ${skipped.length ? "attention" : "calm"}`}>
        <h2>Skipped ({skipped.length})</h2>
        <p class="muted">Only idle triggers start: these runs are skipped unless resumed.</p>
        <ul class="dash-list">
          {skipped.slice(0, LISTED).map((r) => (
            <li>
              <TriggerLink id={r.id} name={r.trigger_name} />: {count(r.run_count, "run")},{" "}
              {SKIPPED_WORDS[r.skipped!]}
            </li>
          ))}
        </ul>
        <More total={skipped.length} />
      </section>
      <section class="card dash-item">
        <h2>Queue triggers due now ({due.length})</h2>
        <p class="muted">
          Their queue holds at least their batch of new elements (as of the last poll).{" "}
          {f.waiting > 0 && `${count(f.waiting, "queue trigger")} wait for elements.`}
        </p>
        <ul class="dash-list">
          {due.slice(0, LISTED).map((r) => (
            <li>
              <TriggerLink id={r.id} name={r.trigger_name} />: <code>{r.queue!.name}</code> holds
              {" "}
              {count(r.queue!.waiting, "new element")} (batch {r.queue!.batch})
            </li>
          ))}
        </ul>
        <More total={due.length} />
      </section>
      {problems.length > 0 && (
        <section class="card dash-item attention">
          <h2>Unreadable ({problems.length})</h2>
          <ul class="dash-list">
            {problems.slice(0, LISTED).map((r) => (
              <li>
                <TriggerLink id={r.id} name={r.trigger_name} />: {r.problem}
              </li>
            ))}
          </ul>
          <More total={problems.length} />
        </section>
      )}
    </div>
  );
}

/** Where a time falls on the track, in SVG units. */
type Scale = (time: DbTime) => number;

/** How many run times a track's tooltip lists. */
const TOOLTIP_RUNS = 8;

/** An SVG path of bars of the track's height, one per `[x, width]`. */
function bars(spans: [number, number][]): string {
  return spans.map(([x, width]) => `M${x} 3h${width}v14h-${width}z`).join("");
}

/**
 * The marks of one row: a bar per run, or per band when it has too many to draw, in one path per
 * colour (a thousand rows stay a small page); the tooltip lists the first runs.
 */
function Track(props: { row: ForecastRow; x: Scale; collided: Set<string>; window: string }) {
  const { row, x } = props;
  const tone = row.never_runs ? "fc-never" : row.skipped ? "fc-skipped" : "fc-run";
  const marks: [number, number][] = [];
  const collided: [number, number][] = [];
  let tooltip: string;
  if (row.runs_capped) {
    for (const b of row.bands) {
      const from = Math.min(x(b.from), WIDTH - MARK);
      marks.push([from, Math.max(MARK, x(b.to) - from)]);
    }
    tooltip = row.bands.slice(0, TOOLTIP_RUNS).map((b) =>
      `${count(b.runs, "run")}, ${when(b.from)} to ${when(b.to)}`
    ).join("\n");
  } else {
    for (const run of row.runs) {
      const mark: [number, number] = [Math.min(x(run), WIDTH - MARK), MARK];
      (props.collided.has(`${row.id} ${run}`) ? collided : marks).push(mark);
    }
    tooltip = row.runs.slice(0, TOOLTIP_RUNS).map((run, i) =>
      i === 0 && row.due_now ? "due now" : when(run)
    ).join("\n");
  }
  const more = (row.runs_capped ? row.bands.length : row.runs.length) > TOOLTIP_RUNS ? "\n..." : "";
  return (
    <a
      class={`fc-track fc-${props.window}`}
      href={triggerPath(row.id)}
      aria-label={`${row.trigger_name}: ${count(row.run_count, "run")}, first ${when(row.runs[0])}`}
      title={tooltip + more}
    >
      <svg viewBox={`0 0 ${WIDTH} 20`} preserveAspectRatio="none" aria-hidden="true">
        {marks.length > 0 && (
          <path class={row.runs_capped ? `${tone} fc-band` : tone} d={bars(marks)} />
        )}
        {collided.length > 0 && <path class="fc-collide" d={bars(collided)} />}
      </svg>
    </a>
  );
}

function RowBadges(props: { row: ForecastRow }) {
  const { row } = props;
  return (
    <>
      {row.is_blocking && <span class="badge">blocking</span>}
      {row.due_now && !row.skipped && !row.never_runs && (
        <span class="badge status tone-active">due now</span>
      )}
      {row.skipped && <span class="badge status tone-paused">skipped: {row.skipped}</span>}
      {row.never_runs && <span class="badge status tone-error">never runs</span>}
      {row.problem && <span class="badge status tone-error">unreadable</span>}
      {row.collisions > 0 && (
        <span class="badge badge-warn">collides {GLYPHS.times}{formatCount(row.collisions)}</span>
      )}
    </>
  );
}

/** The tick labels, one per column of the track's grid. */
function Axis(props: { forecast: Forecast }) {
  const { count: n, hours } = TICKS[props.forecast.window];
  const start = minuteOf(props.forecast.now);
  return (
    <div class="fc-row fc-axis-row" aria-hidden="true">
      <span></span>
      <ol class={`fc-axis fc-${props.forecast.window}`}>
        {Array.from({ length: n }, (_, i) => {
          const d = new Date(start + i * hours * 3_600_000);
          const text = d.toISOString();
          return (
            <li>
              <span class="block">{dayLabel(text.slice(0, 10))}</span>
              {text.slice(11, 16)}
            </li>
          );
        })}
      </ol>
    </div>
  );
}

/** Every group of triggers with its rows on the time axis. */
function Timeline(props: { forecast: Forecast }) {
  const { forecast: f } = props;
  const start = minuteOf(f.now);
  const span = minuteOf(f.until) - start;
  const x: Scale = (time) => Math.round(((minuteOf(time) - start) / span) * WIDTH * 10) / 10;
  const collided = new Set(
    f.collisions.flatMap((c) => c.triggers.map((t) => `${t.id} ${c.at}`)),
  );
  if (f.groups.length === 0) {
    return <p class="muted">No trigger runs in {FORECAST_WINDOWS[f.window]}.</p>;
  }
  return (
    <>
      {f.groups.map((group) => (
        <section class="card forecast-group">
          <h2>
            {group.machines === null
              ? "Any machine"
              : group.machines.length === 0
              ? "An unreadable whitelist"
              : (
                <span class="chips">
                  {group.machines.map((m) => <MachineChip {...m} />)}
                </span>
              )}
          </h2>
          {group.machines === null && (
            <p class="muted">
              Triggers without a whitelist: any scheduler may run them (unless it is set to run only
              whitelisted triggers, which the database does not show).
            </p>
          )}
          <Axis forecast={f} />
          <ul class="fc-rows">
            {group.rows.map((row) => (
              <li class="fc-row">
                <div class="fc-name">
                  <TriggerLink id={row.id} name={row.trigger_name} />
                  <RowBadges row={row} />
                  <small class="muted block">
                    {count(row.run_count, "run")}
                    {row.runs_capped && ", drawn as bands"}
                    {row.usual_seconds !== null && `, usually ${duration(row.usual_seconds)}`}
                  </small>
                </div>
                <Track row={row} x={x} collided={collided} window={f.window} />
              </li>
            ))}
          </ul>
        </section>
      ))}
    </>
  );
}

/** The forecast fragment. */
export function ForecastView(props: { forecast: Forecast }) {
  const { forecast: f } = props;
  return (
    <div id="forecast">
      <WindowChoice
        windows={FORECAST_WINDOWS}
        current={f.window}
        path={forecastPath}
        label="Forecast over"
      />
      <p class="lead">
        What the schedulers will start from {when(f.now)} to{" "}
        {when(f.until)}, as the scheduler decides it: a trigger's stored next run first, then its
        cron expression's runs after each start (assuming each run ends before the next is due).
        {" "}
        {f.quiet > 0 && `${count(f.quiet, "trigger")} have no run in this window.`}{" "}
        <small class="muted">Read at {f.now.slice(11, 19)}, again after each poll.</small>
      </p>
      {f.no_machine && (
        <p class="card warn" role="alert">
          No scheduler machine is online: nothing runs until one pings again.
        </p>
      )}
      <Attention forecast={f} />
      <p class="chips fc-legend">
        <span class="legend legend-run">Run</span>
        <span class="legend legend-collide">Collision</span>
        <span class="legend legend-skipped">Skipped</span>
        <span class="legend legend-never">Never runs</span>
        <span class="muted">A wide bar is many runs close together.</span>
      </p>
      <Timeline forecast={f} />
    </div>
  );
}

/** The whole forecast page around its view (rendered once by {@linkcode ForecastView}). */
export function ForecastPage(props: { view: Child }) {
  return (
    <>
      <div class="page-head">
        <h1>Forecast</h1>
        <a href="/triggers">All triggers {GLYPHS.rarr}</a>
      </div>
      {props.view}
    </>
  );
}
