/**
 * How one queue performs (`/queues/:name/performance?days=7|30`): per day the elements done and
 * failed, the processing time's median and 95th percentile, arrivals against elements that ended
 * (and whether the backlog grows, in words), and the age of the oldest new element. Every bar
 * links to that day's elements. The page and the fragment the queue page loads are one section.
 * @module
 */
import {
  backlogOf,
  endedOf,
  PERFORMANCE_SPANS,
  type QueuePerformance,
} from "../db/queue_performance.ts";
import { listQuery } from "../lib/list.ts";
import type { QueueStatus } from "../lib/queue_status.ts";
import { BarChart, DONE_FAILED } from "./chart.tsx";
import { formatCount } from "../lib/format.ts";
import { Moment } from "./time.tsx";
import { performancePath, queuePath } from "./paths.ts";
import { GLYPHS } from "./glyphs.tsx";

/** A processing time in words: "750 ms", "4.2 s", "38 s", "2.5 min", "78 min", "2.5 h", "3 days". */
export function formatDuration(ms: number): string {
  const one = (n: number) => n.toFixed(1).replace(/\.0$/, "");
  if (ms === 0) return "0";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 10) return `${one(s)} s`;
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 90 * 60) return `${one(s / 60)} min`;
  if (s < 48 * 3600) return `${one(s / 3600)} h`;
  return `${one(s / 86400)} days`;
}

/** The list of the queue's elements of one day: with these statuses, by end date (or creation). */
function dayList(
  queue: string,
  { day, statuses }: { day: string; statuses: QueueStatus[] },
): string {
  return queuePath(queue) + listQuery({}, {
    filters: {
      status: statuses,
      date: statuses.length ? "ended" : "",
      from: `${day}T00:00`,
      to: `${day}T23:59`,
    },
  });
}

/** Whether the backlog grew over the span, in words. */
export function backlogWords(perf: QueuePerformance): string {
  const { arrived, ended } = backlogOf(perf);
  const change = arrived - ended;
  const n = formatCount;
  const what = `${n(arrived)} arrived and ${n(ended)} ended in these ${perf.span} days`;
  if (change > 0) return `The backlog is growing: ${what}, ${n(change)} more than were handled.`;
  if (change < 0) return `The backlog is shrinking: ${what}, ${n(-change)} more than arrived.`;
  return `The backlog holds level: ${what}.`;
}

/** The section: the span chooser, the backlog in words and the three charts. */
export function PerformanceSection(props: { perf: QueuePerformance; now: Date }) {
  const { perf } = props;
  const queue = perf.queue;
  const handled: QueueStatus[] = ["DONE", "FAILED"];
  return (
    <section id="queue-performance" class="card" aria-labelledby="queue-performance-title">
      <h2 id="queue-performance-title">How this queue performs, last {perf.span} days</h2>
      <nav class="chips" aria-label="Days shown">
        {PERFORMANCE_SPANS.map((span) =>
          span === perf.span
            ? <strong class="chip" aria-current="true">Last {span} days</strong>
            : <a class="chip" href={performancePath(queue, span)}>Last {span} days</a>
        )}
      </nav>
      <p id="queue-backlog">{backlogWords(perf)}</p>
      <p id="queue-oldest-new">
        {perf.oldestNew === null ? "No element is waiting: none is new." : (
          <>
            The oldest new element was created <Moment time={perf.oldestNew} now={props.now} />
          </>
        )}
      </p>
      <h3>Done and failed</h3>
      <BarChart
        id="perf-done"
        title={`Done and failed elements of ${queue} per day, last ${perf.span} days`}
        series={DONE_FAILED}
        days={perf.days.map((d) => ({
          day: d.day,
          values: [d.done, d.failed],
          links: [
            dayList(queue, { day: d.day, statuses: ["DONE"] }),
            dayList(queue, { day: d.day, statuses: ["FAILED"] }),
          ],
        }))}
        caption="per day by end date, today last; a bar shows that day's elements."
      />
      <h3>Arrived and ended</h3>
      <BarChart
        id="perf-flow"
        title={`Elements of ${queue} that arrived and that ended per day, last ${perf.span} days`}
        series={[{ label: "Arrived", class: "bar-arrived" }, {
          label: "Ended",
          class: "bar-ended",
        }]}
        days={perf.days.map((d) => ({
          day: d.day,
          values: [d.arrived, endedOf(d)],
          links: [
            dayList(queue, { day: d.day, statuses: [] }),
            dayList(queue, { day: d.day, statuses: ["DONE", "FAILED", "ABANDONED"] }),
          ],
        }))}
        caption="per day: created, and done, failed or abandoned (the backlog grows when more arrive)."
      />
      <h3>Processing time</h3>
      <BarChart
        id="perf-time"
        title={`Processing time of ${queue}'s elements per day, median and 95th percentile`}
        series={[{ label: "Median", class: "bar-median" }, {
          label: "95th percentile",
          class: "bar-p95",
        }]}
        format={formatDuration}
        values={false}
        days={perf.days.map((d) => {
          const link = dayList(queue, { day: d.day, statuses: handled });
          return { day: d.day, values: [d.medianMs, d.p95Ms], links: [link, link] };
        })}
        caption="of the elements done or failed that day (end - start)."
      />
      <DayTable perf={perf} />
    </section>
  );
}

/** Every number of the charts, one row a day (today first), folded away. */
function DayTable(props: { perf: QueuePerformance }) {
  const n = formatCount;
  const time = (ms: number | null) => ms === null ? GLYPHS.mdash : formatDuration(ms);
  return (
    <details>
      <summary>The numbers, day by day</summary>
      <div class="table-wrap">
        <table id="queue-performance-days">
          <thead>
            <tr>
              {["Day", "Done", "Failed", "Abandoned", "Arrived", "Median time", "95th percentile"]
                .map((h) => <th scope="col">{h}</th>)}
            </tr>
          </thead>
          <tbody>
            {[...props.perf.days].reverse().map((d) => (
              <tr>
                <th scope="row">{d.day}</th>
                <td class="num">{n(d.done)}</td>
                <td class="num">{n(d.failed)}</td>
                <td class="num">{n(d.abandoned)}</td>
                <td class="num">{n(d.arrived)}</td>
                <td class="num">{time(d.medianMs)}</td>
                <td class="num">{time(d.p95Ms)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}

/** The whole performance page of a queue. */
export function PerformancePage(props: { perf: QueuePerformance; now: Date }) {
  const queue = props.perf.queue;
  return (
    <>
      <p class="crumbs">
        <a href="/queues">Queues</a> / <a href={queuePath(queue)}>{queue}</a> /
      </p>
      <h1>{queue}: performance</h1>
      <PerformanceSection {...props} />
    </>
  );
}
