/**
 * A stored time on a page: a `<time>` element with the machine-readable value, shown as
 * `YYYY-MM-DD HH:MM:SS`, or as "3 min ago" with the exact time beside it.
 * @module
 */
import type { Child } from "hono/jsx";
import { type DbTime, displayTime, relativeTime } from "../lib/time.ts";
import { GLYPHS } from "./glyphs.tsx";

/**
 * Shows a stored time (or `empty` when there is none): exact, or relative to `now` with the exact
 * time below (or only in the tooltip when `brief`).
 */
export function Moment(
  props: { time: DbTime | null; now?: Date; empty?: Child; brief?: boolean },
) {
  if (props.time === null) return <span class="muted">{props.empty ?? GLYPHS.mdash}</span>;
  const datetime = props.time.slice(0, 19).replace(" ", "T");
  if (!props.now) return <time datetime={datetime}>{displayTime(props.time)}</time>;
  return (
    <time datetime={datetime} title={displayTime(props.time)}>
      {relativeTime(props.time, props.now)}
      {!props.brief && <small class="muted block">{displayTime(props.time)}</small>}
    </time>
  );
}
