/**
 * Status badges and the one map from each kind of status to its tone (the badge colour): queue
 * element statuses, trigger statuses, log levels and the states of scheduler machines. An unknown
 * value (a newer writer's) shows as written, in the error tone (log levels: paused).
 * @module
 */
import type { MachineState } from "../lib/forecast.ts";
import { LOG_LEVEL_LABELS, type LogLevel } from "../lib/log_level.ts";
import { QUEUE_STATUS_LABELS, type QueueStatus } from "../lib/queue_status.ts";
import { isTriggerStatus, statusLabel, type TriggerStatus } from "../lib/trigger_status.ts";

/** What a status means, for its badge colour (the CSS class `tone-<tone>`). */
type Tone = "waiting" | "active" | "ok" | "paused" | "error";

const QUEUE_TONES: Record<QueueStatus, Tone> = {
  NEW: "waiting",
  IN_PROGRESS: "active",
  DONE: "ok",
  FAILED: "error",
  ABANDONED: "paused",
};

const TRIGGER_TONES: Record<TriggerStatus, Tone> = {
  IDLE: "waiting",
  RUNNING: "active",
  FAILED: "error",
  DONE: "ok",
  PAUSED: "paused",
  PAUSING: "paused",
  KILLING: "error",
  KILLED: "error",
};

const LEVEL_TONES: Record<LogLevel, Tone> = { TRACE: "waiting", INFO: "ok", ERROR: "error" };

const MACHINE_TONES: Record<MachineState, Tone> = {
  online: "ok",
  stale: "paused",
  offline: "error",
  unknown: "error",
};

function Badge(props: { tone: Tone; label: string }) {
  return <span class={`badge status tone-${props.tone}`}>{props.label}</span>;
}

/** A queue element status badge. */
export function QueueStatusBadge(props: { status: string }) {
  const known = Object.hasOwn(QUEUE_TONES, props.status) ? props.status as QueueStatus : null;
  return known
    ? <Badge tone={QUEUE_TONES[known]} label={QUEUE_STATUS_LABELS[known]} />
    : <Badge tone="error" label={props.status} />;
}

/** A trigger status badge. */
export function TriggerStatusBadge(props: { status: string }) {
  const tone = isTriggerStatus(props.status) ? TRIGGER_TONES[props.status] : "error";
  return <Badge tone={tone} label={statusLabel(props.status)} />;
}

/** A log level badge. */
export function LevelBadge(props: { level: string }) {
  const known = Object.hasOwn(LEVEL_TONES, props.level) ? props.level as LogLevel : null;
  return known
    ? <Badge tone={LEVEL_TONES[known]} label={LOG_LEVEL_LABELS[known]} />
    : <Badge tone="paused" label={props.level} />;
}

/** A scheduler machine's state badge (`label`: the text shown, the state itself by default). */
export function MachineStateBadge(props: { state: MachineState; label?: string }) {
  return <Badge tone={MACHINE_TONES[props.state]} label={props.label ?? props.state} />;
}
