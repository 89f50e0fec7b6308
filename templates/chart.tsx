/**
 * The dashboard chart: done and failed queue elements per day, drawn on the server as SVG (no
 * script, no inline style: colours come from classes). A screen reader reads its title and a
 * description with every number. Each bar links to the elements it counts, across all queues (so
 * the drawing is a group, not an image: an image's links would be hidden from assistive tools).
 * @module
 */
import type { ChartDay } from "../db/dashboard.ts";
import { listQuery } from "../lib/list.ts";
import { queuePath } from "./queue_detail.tsx";

const WIDTH = 640;
const HEIGHT = 240;
const LEFT = 48;
const BOTTOM = 44;
const TOP = 24;
const DAY_NAMES = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/** "Mon 16": the weekday and day of a `YYYY-MM-DD` date. */
export function dayLabel(day: string): string {
  return `${DAY_NAMES[new Date(`${day}T00:00:00Z`).getUTCDay()]} ${Number(day.slice(8, 10))}`;
}

/** The elements of every queue that ended with `status` on `day` (what one bar counts). */
function dayListPath(day: string, status: "DONE" | "FAILED"): string {
  return queuePath(null) + listQuery({}, {
    filters: { status, date: "ended", from: `${day}T00:00`, to: `${day}T23:59` },
  });
}

/** The round tops the axis may take, per power of ten. */
const STEPS = [1, 1.2, 1.4, 1.6, 1.8, 2, 2.5, 3, 3.5, 4, 5, 6, 7, 8, 10];

/**
 * The top of the axis: the first round number at or above `max` (so the tallest bar nearly fills
 * the chart), even, so that its half, the middle line, is a whole number too.
 */
export function niceTop(max: number): number {
  if (max <= 2) return 2;
  const power = 10 ** Math.floor(Math.log10(max));
  const top = STEPS.map((m) => m * power).find((v) => v >= max)!;
  return top % 2 === 0 ? top : Math.ceil(top / 2) * 2;
}

/** The bar chart of done and failed elements per day. */
export function DoneFailedChart(props: { days: ChartDay[] }) {
  const { days } = props;
  const top = niceTop(Math.max(0, ...days.flatMap((d) => [d.done, d.failed])));
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const group = (WIDTH - LEFT) / Math.max(1, days.length);
  const bar = group * 0.32;
  const y = (n: number) => TOP + plotHeight - (n / top) * plotHeight;
  const fmt = (n: number) => n.toLocaleString("en");
  const description = days.map((d) =>
    `${dayLabel(d.day)}: ${fmt(d.done)} done, ${fmt(d.failed)} failed`
  )
    .join("; ");
  return (
    <figure class="chart">
      <svg
        role="group"
        aria-labelledby="chart-title chart-desc"
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        width="100%"
        preserveAspectRatio="xMidYMid meet"
      >
        <title id="chart-title">
          Done and failed queue elements per day, last {days.length} days
        </title>
        <desc id="chart-desc">{description}.</desc>
        {[0, top / 2, top].map((n) => (
          <g class="grid">
            <line x1={LEFT} x2={WIDTH} y1={y(n)} y2={y(n)} />
            <text x={LEFT - 6} y={y(n) + 4} text-anchor="end">{fmt(n)}</text>
          </g>
        ))}
        {days.map((d, i) => {
          const x = LEFT + i * group + group * 0.16;
          return (
            <g>
              <a
                href={dayListPath(d.day, "DONE")}
                aria-label={`${dayLabel(d.day)}: ${fmt(d.done)} done elements`}
              >
                <rect class="bar-done" x={x} y={y(d.done)} width={bar} height={y(0) - y(d.done)}>
                  <title>{dayLabel(d.day)}: {fmt(d.done)} done</title>
                </rect>
              </a>
              <a
                href={dayListPath(d.day, "FAILED")}
                aria-label={`${dayLabel(d.day)}: ${fmt(d.failed)} failed elements`}
              >
                <rect
                  class="bar-failed"
                  x={x + bar}
                  y={y(d.failed)}
                  width={bar}
                  height={y(0) - y(d.failed)}
                >
                  <title>{dayLabel(d.day)}: {fmt(d.failed)} failed</title>
                </rect>
              </a>
              <text class="value" x={x + bar / 2} y={y(d.done) - 4} text-anchor="middle">
                {fmt(d.done)}
              </text>
              <text class="value" x={x + bar * 1.5} y={y(d.failed) - 4} text-anchor="middle">
                {fmt(d.failed)}
              </text>
              <text class="axis" x={x + bar} y={HEIGHT - BOTTOM + 18} text-anchor="middle">
                {dayLabel(d.day)}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption>
        <span class="legend legend-done">Done</span>{" "}
        <span class="legend legend-failed">Failed</span> per day by end date, today last.
      </figcaption>
    </figure>
  );
}
