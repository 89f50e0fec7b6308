/**
 * The bar charts: two bars a day (done and failed queue elements on the dashboard; a queue's
 * counts and processing times on its performance view), drawn on the server as SVG (no script,
 * no inline style: colours come from classes). A screen reader reads its title and a description
 * with every number; a chart whose bars link somewhere names each link (and is a group, not an
 * image: an image's links would be hidden from assistive tools).
 * @module
 */
import type { ChartDay } from "../db/dashboard.ts";
import { formatCount } from "../lib/format.ts";
import { listQuery } from "../lib/list.ts";
import { queuePath } from "./paths.ts";

const WIDTH = 640;
const HEIGHT = 240;
const LEFT = 48;
const BOTTOM = 44;
const TOP = 24;
const DAY_NAMES = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
/** Above this many days the values over the bars are left out and every 5th day is labelled. */
const CROWDED_DAYS = 10;

/** "Mon 16": the weekday and day of a `YYYY-MM-DD` date. */
export function dayLabel(day: string): string {
  return `${DAY_NAMES[new Date(`${day}T00:00:00Z`).getUTCDay()]} ${Number(day.slice(8, 10))}`;
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

/** One of the two bars of every day: its name and the class that colours it. */
export type ChartSeries = { label: string; class: string };

/** One day of a chart: its two values (null: nothing to show) and where each bar links. */
export type ChartBars = {
  day: string;
  values: [number | null, number | null];
  links?: [string | null, string | null];
};

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

/** A chart of two bars a day; `id` keeps its title and description apart from other charts'. */
export function BarChart(props: {
  id: string;
  title: string;
  series: [ChartSeries, ChartSeries];
  days: ChartBars[];
  /** How a value (and the axis) is written; default: a count. */
  format?: (n: number) => string;
  /** Write each value over its bar (default: when there are few days). */
  values?: boolean;
  caption: string;
}) {
  const { days, series, id } = props;
  const fmt = props.format ?? formatCount;
  const values = days.flatMap((d) => d.values.filter((v): v is number => v !== null));
  const top = niceTop(Math.max(0, ...values));
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const group = (WIDTH - LEFT) / Math.max(1, days.length);
  const bar = round(group * 0.32);
  const crowded = days.length > CROWDED_DAYS;
  // One decimal is finer than a pixel, and keeps the SVG of 30 days small.
  const y = (n: number) => round(TOP + plotHeight - (n / top) * plotHeight);
  const value = (d: ChartBars, i: 0 | 1) => {
    const v = d.values[i];
    return `${v === null ? "none" : fmt(v)} ${series[i].label.toLowerCase()}`;
  };
  const labels = new Map(days.map((d) => [d.day, dayLabel(d.day)]));
  const said = (d: ChartBars, i: 0 | 1) => `${labels.get(d.day)}: ${value(d, i)}`;
  const description = days.map((d) => `${labels.get(d.day)}: ${value(d, 0)}, ${value(d, 1)}`)
    .join("; ");
  const linked = days.some((d) => d.links?.some(Boolean));
  return (
    <figure class="chart" id={id}>
      <svg
        // Links inside an image would be hidden from screen readers: a linked chart is a group.
        role={linked ? "group" : "img"}
        aria-labelledby={`${id}-title ${id}-desc`}
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        width="100%"
        preserveAspectRatio="xMidYMid meet"
      >
        <title id={`${id}-title`}>{props.title}</title>
        <desc id={`${id}-desc`}>{description}.</desc>
        {[0, top / 2, top].map((n) => (
          <g class="grid">
            <line x1={LEFT} x2={WIDTH} y1={y(n)} y2={y(n)} />
            <text x={LEFT - 6} y={round(y(n) + 4)} text-anchor="end">{fmt(n)}</text>
          </g>
        ))}
        {days.map((d, i) => {
          const x = round(LEFT + i * group + group * 0.16);
          const bars = ([0, 1] as const).map((s) => {
            const v = d.values[s];
            if (v === null) return null;
            const rect = (
              <rect
                class={series[s].class}
                x={round(x + s * bar)}
                y={y(v)}
                width={bar}
                height={round(y(0) - y(v))}
              >
                <title>{said(d, s)}</title>
              </rect>
            );
            const href = d.links?.[s];
            return href ? <a href={href} aria-label={`${said(d, s)}: show them`}>{rect}</a> : rect;
          });
          const labelled = !crowded || (days.length - 1 - i) % 5 === 0;
          return (
            <g>
              {bars}
              {(props.values ?? !crowded) && ([0, 1] as const).map((s) => {
                const v = d.values[s];
                return v === null ? null : (
                  <text
                    class="value"
                    x={round(x + bar * (s + 0.5))}
                    y={round(y(v) - 4)}
                    text-anchor="middle"
                  >
                    {fmt(v)}
                  </text>
                );
              })}
              {labelled && (
                // Crowded labels end under their day's bars: the last one stays in the chart.
                <text
                  class="axis"
                  x={round(x + (crowded ? 2 : 1) * bar)}
                  y={HEIGHT - BOTTOM + 18}
                  text-anchor={crowded ? "end" : "middle"}
                >
                  {labels.get(d.day)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption>
        <span class={`legend legend-${series[0].class}`}>{series[0].label}</span>{" "}
        <span class={`legend legend-${series[1].class}`}>{series[1].label}</span> {props.caption}
      </figcaption>
    </figure>
  );
}

/** The series of done and failed elements. */
export const DONE_FAILED: [ChartSeries, ChartSeries] = [
  { label: "Done", class: "bar-done" },
  { label: "Failed", class: "bar-failed" },
];

/** The elements of every queue that ended with `status` on `day` (what one bar counts). */
function dayListPath(day: string, status: "DONE" | "FAILED"): string {
  return queuePath(null) + listQuery({}, {
    filters: { status, date: "ended", from: `${day}T00:00`, to: `${day}T23:59` },
  });
}

/** The dashboard's bar chart of done and failed elements per day, each bar a link to them. */
export function DoneFailedChart(props: { days: ChartDay[] }) {
  return (
    <BarChart
      id="chart"
      title={`Done and failed queue elements per day, last ${props.days.length} days`}
      series={DONE_FAILED}
      days={props.days.map((d) => ({
        day: d.day,
        values: [d.done, d.failed],
        links: [dayListPath(d.day, "DONE"), dayListPath(d.day, "FAILED")],
      }))}
      caption="per day by end date, today last."
    />
  );
}
