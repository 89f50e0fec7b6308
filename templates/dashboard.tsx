/**
 * The dashboard: what needs attention since the last working day, every item a link to the exact
 * filtered view, and the done/failed chart. It refreshes itself on the live tick (every 10 s
 * while the tab is visible) from the poller's snapshot.
 * @module
 */
import type { Child } from "hono/jsx";
import type { Dashboard, GroupCount, TriggerProblem } from "../db/dashboard.ts";
import { type DbTime, inputTime, parseDbTime } from "../lib/time.ts";
import { DoneFailedChart } from "./chart.tsx";
import { WindowChoice } from "./filters.tsx";
import { Moment } from "./time.tsx";
import { DASHBOARD_WINDOWS, type DashboardWindow } from "../lib/dashboard_window.ts";
import { logsPath, queuePath, triggerPath } from "./paths.ts";
import { TriggerStatusBadge } from "./badges.tsx";
import { formatCount } from "../lib/format.ts";
import { GLYPHS } from "./glyphs.tsx";

function Card(props: { title: string; count: number; more?: Child; children: Child }) {
  return (
    <section class={`card dash-item ${props.count ? "attention" : "calm"}`}>
      <h2>
        {props.title}: <span class="dash-count">{formatCount(props.count)}</span>
      </h2>
      {props.count === 0 ? <p class="muted">None.</p> : props.children}
      {props.more && <p class="more">{props.more}</p>}
    </section>
  );
}

function Groups(props: { groups: GroupCount[]; href: (name: string) => string; now: Date }) {
  return (
    <ul class="dash-list">
      {props.groups.map((g) => (
        <li>
          <a href={props.href(g.name)}>{g.name}</a> <strong>{formatCount(g.n)}</strong>{" "}
          <small class="muted">
            last <Moment time={g.last} now={props.now} brief />
          </small>
        </li>
      ))}
    </ul>
  );
}

function Triggers(props: { triggers: TriggerProblem[]; now: Date; label: string }) {
  return (
    <ul class="dash-list">
      {props.triggers.map((t) => (
        <li>
          <a href={triggerPath(t.id)}>{t.trigger_name}</a>{" "}
          <TriggerStatusBadge status={t.process_status} />{" "}
          <small class="muted">
            {t.process_name} {GLYPHS.middot} {props.label}{" "}
            <Moment time={t.moment} now={props.now} empty="never" brief />
          </small>
        </li>
      ))}
    </ul>
  );
}

function sum(groups: GroupCount[]): number {
  return groups.reduce((n, g) => n + g.n, 0);
}

function sinceText(since: DbTime): string {
  const day = parseDbTime(since).toLocaleDateString("en-GB", { weekday: "long" });
  return `${day} ${since.slice(11, 16)}`;
}

function windowPath(window: DashboardWindow): string {
  return window === "workday" ? "/dashboard" : `/dashboard?window=${window}`;
}

/** What the dashboard shows: the read (null: the poller has not read it yet) and its window. */
export type DashboardViewProps = {
  dashboard: Dashboard | null;
  window: DashboardWindow;
  now: Date;
};

/** The dashboard fragment. */
export function DashboardView(props: DashboardViewProps) {
  const { dashboard, now } = props;
  return (
    <div
      id="dashboard"
      hx-get={windowPath(props.window)}
      hx-trigger="oo-tick from:body"
      hx-target="this"
      hx-swap="outerHTML"
    >
      {dashboard === null
        ? <p class="muted">Reading the database: the dashboard fills in after the first poll.</p>
        : (
          <>
            <WindowChoice
              windows={DASHBOARD_WINDOWS}
              current={props.window}
              path={windowPath}
              label="Failures over"
            />
            <p class="lead">
              Failures since {sinceText(dashboard.since)}.{" "}
              <small class="muted">Read at {dashboard.now.slice(11, 19)}.</small>
            </p>
            <div class="dash-grid">
              <Card
                title="Error logs"
                count={sum(dashboard.errorLogs)}
                more={
                  <a href={`${logsPath(null)}?level=ERROR&from=${inputTime(dashboard.since)}`}>
                    All error logs {GLYPHS.rarr}
                  </a>
                }
              >
                <Groups
                  groups={dashboard.errorLogs}
                  href={(p) => `${logsPath(p)}?level=ERROR&from=${inputTime(dashboard.since)}`}
                  now={now}
                />
              </Card>
              <Card
                title="Failed queue elements"
                count={sum(dashboard.failedElements)}
                more={
                  <a href="/queues?sort=failed&dir=desc">
                    All queues, most failed first {GLYPHS.rarr}
                  </a>
                }
              >
                <Groups
                  groups={dashboard.failedElements}
                  href={(q) =>
                    `${queuePath(q)}?status=FAILED&date=ended&from=${inputTime(dashboard.since)}`}
                  now={now}
                />
              </Card>
              <Card
                title="Failed and killed triggers"
                count={dashboard.failedTriggers.length}
                more={
                  <a href="/triggers?status=FAILED&status=KILLED">
                    In the trigger list {GLYPHS.rarr}
                  </a>
                }
              >
                <Triggers triggers={dashboard.failedTriggers} now={now} label="last run" />
              </Card>
              <Card
                title="Overdue triggers"
                count={dashboard.overdueTriggers.length}
                more={
                  <a href="/triggers?status=IDLE&sort=next_run">
                    Idle triggers, earliest next run first {GLYPHS.rarr}
                  </a>
                }
              >
                <p class="muted">
                  Idle, with a next run more than 5 minutes past: the schedulers are not picking
                  them up.
                </p>
                <Triggers triggers={dashboard.overdueTriggers} now={now} label="due" />
              </Card>
              <Card
                title="Schedulers offline"
                count={dashboard.offlineSchedulers.length}
                more={<a href="/schedulers">All schedulers {GLYPHS.rarr}</a>}
              >
                <ul class="dash-list">
                  {dashboard.offlineSchedulers.map((s) => (
                    <li>
                      <a href="/schedulers">{s.machine_name}</a>{" "}
                      <small class="muted">
                        last seen <Moment time={s.last_update} now={now} brief />
                      </small>
                    </li>
                  ))}
                </ul>
              </Card>
            </div>
            <section class="card">
              <h2>Queue elements done and failed, last 7 days</h2>
              <DoneFailedChart days={dashboard.chart} />
            </section>
          </>
        )}
    </div>
  );
}

/** The whole dashboard page. */
export function DashboardPage(props: DashboardViewProps) {
  return (
    <>
      <div class="page-head">
        <h1>Dashboard</h1>
        <a href="/triggers/forecast">What runs next: the forecast {GLYPHS.rarr}</a>
      </div>
      <DashboardView {...props} />
    </>
  );
}
