/**
 * One queue element: its data (pretty-printed when it is JSON), message, dates and durations,
 * creator, links to the consuming processes' logs around its run, and its actions.
 * @module
 */
import type { QueueElement, QueueSummary } from "../db/queues.ts";
import {
  elementDurations,
  formatDuration,
  type QueueAction,
  STUCK_MINUTES,
  stuckBefore,
} from "../lib/queue_status.ts";
import { type DbTime, displayTime, formatDbTime, inputTime, shiftTime } from "../lib/time.ts";
import { Consumers } from "./queue_detail.tsx";
import { Moment } from "./time.tsx";
import { elementPath, queuePath } from "./paths.ts";
import { QueueStatusBadge } from "./badges.tsx";

/** What the element page shows. */
export type ElementViewProps = {
  element: QueueElement;
  summary: QueueSummary | null;
  canWrite: boolean;
  now: Date;
};

/** The data as JSON pretty-printed, or as stored when it is not JSON. */
function prettyData(data: string): { text: string; json: boolean } {
  try {
    const parsed = JSON.parse(data);
    if (typeof parsed === "object" && parsed !== null) {
      return { text: JSON.stringify(parsed, null, 2), json: true };
    }
  } catch {
    // Not JSON: shown as stored.
  }
  return { text: data, json: false };
}

/**
 * The logs window of an element's last run: from a minute before it started to a minute after it
 * ended (or now, while it runs); null when it has not run since it was created or retried (a
 * retry clears the run's dates).
 */
function runWindow(element: QueueElement, now: Date): { from: string; to: string } | null {
  const start = element.start_date;
  if (start === null) return null;
  const end: DbTime = element.end_date ?? formatDbTime(now);
  return {
    from: inputTime(shiftTime(start, -60_000)),
    to: inputTime(shiftTime(end < start ? start : end, 60_000)),
  };
}

/** Which run the logs links are for, in words. */
function runWords(element: QueueElement): string {
  const start = displayTime(element.start_date!);
  return element.end_date === null
    ? `For the run that started ${start} and is still going`
    : `For the run from ${start} to ${displayTime(element.end_date)}`;
}

function logsLink(process: string, window: { from: string; to: string }): string {
  return `/logs/${encodeURIComponent(process)}?${new URLSearchParams(window)}`;
}

/** An action the element page offers, and what the admin confirms with it. */
type Offer = {
  action: QueueAction;
  label: string;
  confirm?: string;
  confirmed?: "done" | "stuck";
};

function offers(element: QueueElement, now: Date): Offer[] {
  const retry: Offer = { action: "retry", label: "Retry" };
  const abandon: Offer = { action: "abandon", label: "Abandon" };
  const remove: Offer = {
    action: "delete",
    label: "Delete",
    confirm: element.status === "NEW"
      ? "Delete this element? A robot may be about to take it."
      : "Delete this element? This cannot be undone.",
  };
  switch (element.status) {
    case "FAILED":
      return [retry, abandon, remove];
    case "ABANDONED":
      return [retry, remove];
    case "NEW":
      return [abandon, remove];
    case "DONE":
      return [{
        action: "retry",
        label: "Retry again",
        confirm: "This element is done. Run it again?",
        confirmed: "done",
      }, remove];
    case "IN_PROGRESS":
      return element.start_date !== null && element.start_date < stuckBefore(now)
        ? [{
          action: "retry",
          label: "Reset stuck element",
          confirm: `In progress for over ${STUCK_MINUTES} minutes. Reset it to new only if no ` +
            "robot is working on it. Reset?",
          confirmed: "stuck",
        }]
        : [];
    default:
      return [];
  }
}

function Actions(props: { element: QueueElement; now: Date }) {
  const { element } = props;
  const base = `${queuePath(element.queue_name)}/actions`;
  const offered = offers(element, props.now);
  if (offered.length === 0 && element.status === "IN_PROGRESS") {
    return (
      <p class="muted">
        A robot is working on it: it can be reset once it has been in progress for {STUCK_MINUTES}
        {" "}
        minutes.
      </p>
    );
  }
  return (
    <>
      {offered.map((offer) => (
        <form
          method="post"
          action={`${base}/${offer.action}`}
          hx-post={`${base}/${offer.action}`}
          hx-target="#editor"
          hx-swap="innerHTML"
          hx-confirm={offer.confirm}
        >
          <input type="hidden" name="id" value={element.id} />
          {offer.confirmed && <input type="hidden" name={offer.confirmed} value="1" />}
          <button type="submit" class={offer.action === "delete" ? "danger" : "secondary"}>
            {offer.label}
          </button>
        </form>
      ))}
    </>
  );
}

/**
 * The element view; it carries its URL in `data-url` (the page sends it with a change), and the
 * answer to an action on the element brings it again, out of band (`oob`).
 */
export function ElementView(props: ElementViewProps & { oob?: boolean }) {
  const { element, now } = props;
  const { waited, worked } = elementDurations(element);
  const data = element.data === null ? null : prettyData(element.data);
  const window = runWindow(element, now);
  const processes = [...new Set((props.summary?.triggers ?? []).map((t) => t.process_name))];
  const self = elementPath(element.queue_name, element.id);
  return (
    <div id="element-view" data-url={self} hx-swap-oob={props.oob ? "true" : undefined}>
      <div class="page-head">
        <h1>
          {element.reference ?? "Element without reference"}{" "}
          <QueueStatusBadge status={element.status} />
        </h1>
      </div>
      {props.canWrite && <div class="buttons">{<Actions element={element} now={now} />}</div>}
      <section id="editor" aria-live="polite"></section>
      <dl class="facts card">
        <dt>Queue</dt>
        <dd>
          <a href={queuePath(element.queue_name)}>{element.queue_name}</a>
        </dd>
        <dt>Id</dt>
        <dd>
          <code>{element.id}</code>
        </dd>
        <dt>Created</dt>
        <dd>
          <Moment time={element.created_date} now={now} /> by {element.created_by ?? "unknown"}
        </dd>
        <dt>Started</dt>
        <dd>
          <Moment time={element.start_date} now={now} empty="not started" />
          {waited !== null && (
            <small class="muted block">after waiting {formatDuration(waited)}</small>
          )}
        </dd>
        <dt>Ended</dt>
        <dd>
          <Moment time={element.end_date} now={now} empty="not ended" />
          {worked !== null && (
            <small class="muted block">after working {formatDuration(worked)}</small>
          )}
        </dd>
        <dt>Consumed by</dt>
        <dd>
          <Consumers summary={props.summary} />
        </dd>
        <dt>Logs</dt>
        <dd>
          {window === null
            ? <span class="muted">It has not run since it was created or retried.</span>
            : (
              <>
                {processes.length
                  ? processes.map((p) => (
                    <a class="block" href={logsLink(p, window)}>Logs of {p} during this run</a>
                  ))
                  : (
                    <a href={`/logs/all?${new URLSearchParams(window)}`}>
                      Logs of every process during this run (no queue trigger consumes this queue)
                    </a>
                  )}
                <small class="muted block">
                  {runWords(element)}, with a minute either side
                </small>
              </>
            )}
        </dd>
      </dl>
      <h2>Message</h2>
      {element.message
        ? <pre class="card wrap">{element.message}</pre>
        : <p class="muted">No message.</p>}
      <h2>Data {data?.json && <small class="muted">(JSON)</small>}</h2>
      {data ? <pre class="card wrap data">{data.text}</pre> : <p class="muted">No data.</p>}
    </div>
  );
}

/** The whole element page. */
export function ElementPage(props: ElementViewProps) {
  return (
    <>
      <p class="crumbs">
        <a href="/queues">Queues</a> /{" "}
        <a href={queuePath(props.element.queue_name)}>{props.element.queue_name}</a> /
      </p>
      <ElementView {...props} />
    </>
  );
}
