/**
 * The filters above the log and queue element lists: the search box with status (or level)
 * choices, a time range with presets, and each problem next to its field. A change applies at
 * once (htmx reloads the table); without JS the form is a plain GET.
 * @module
 */
import type { Child } from "hono/jsx";
import { type FieldErrors, listQuery } from "../lib/list.ts";
import { formatDbTime } from "../lib/time.ts";
import { replacesTable, SearchBox } from "./table.tsx";
import { presetFrom, TIME_PRESETS } from "../lib/filters.ts";

/** The fields whose messages stand next to them; the others are said below the form. */
const SHOWN_BY_FIELD = ["q", "from", "to", "status", "level", "date"];

/** The message of one filter field, next to it (`id` is the table's id). */
export function FieldError(props: { id: string; errors: FieldErrors; name: string }) {
  const message = props.errors[props.name];
  return message
    ? <p id={`${props.id}-${props.name}-error`} class="field-error" role="alert">{message}</p>
    : null;
}

/** The choice of stored names (statuses, levels) of a filter; none ticked means all. */
export type FilterChoices = {
  name: string;
  legend: string;
  values: readonly string[];
  labels: Record<string, string>;
  chosen: readonly string[];
};

function Choices(props: FilterChoices & { id: string; errors: FieldErrors }) {
  return (
    <fieldset class="status-filter">
      <legend class="sr-only">{props.legend}</legend>
      {props.values.map((value) => (
        <label class="chip">
          <input
            type="checkbox"
            name={props.name}
            value={value}
            checked={props.chosen.includes(value)}
          />
          {props.labels[value]}
        </label>
      ))}
      <FieldError id={props.id} errors={props.errors} name={props.name} />
    </fieldset>
  );
}

/** The filter form of a keyset list (`id` is the table's id). */
export function FilterForm(props: {
  id: string;
  base: string;
  /** The search box's label. */
  label: string;
  filter: { q: string; fromText: string; toText: string };
  /** The filter's query entries, kept by the time preset links. */
  query: Record<string, string | string[]>;
  choices: FilterChoices;
  errors: FieldErrors;
  now: Date;
  /** More fields beside the time range. */
  children?: Child;
}) {
  const { id, errors, filter } = props;
  const time = (name: "from" | "to", { label, value }: { label: string; value: string }) => (
    <label class="inline">
      {label}
      <input
        type="datetime-local"
        name={name}
        value={value}
        aria-invalid={errors[name] ? "true" : undefined}
        aria-describedby={errors[name] ? `${id}-${name}-error` : undefined}
      />
    </label>
  );
  const link = (from: string) =>
    props.base + listQuery({}, { filters: { ...props.query, from, to: "" } });
  const now = formatDbTime(props.now);
  return (
    <SearchBox id={id} base={props.base} q={filter.q} label={props.label}>
      <FieldError id={id} errors={errors} name="q" />
      <div
        class="filters"
        hx-get={props.base}
        hx-include="closest form"
        {...replacesTable(id)}
        hx-trigger="change"
      >
        <Choices id={id} errors={errors} {...props.choices} />
        <div class="time-filter">
          {time("from", { label: "From", value: filter.fromText })}
          {time("to", { label: "To", value: filter.toText })}
          {props.children}
          <span class="presets">
            {TIME_PRESETS.map((preset) => (
              <a href={link(presetFrom(now, preset.ms))}>{preset.label}</a>
            ))}
            {(filter.fromText || filter.toText) && <a href={link("")}>Any time</a>}
          </span>
          <FieldError id={id} errors={errors} name="from" />
          <FieldError id={id} errors={errors} name="to" />
        </div>
      </div>
      {Object.entries(errors).filter(([name]) => !SHOWN_BY_FIELD.includes(name)).map((
        [name, message],
      ) => <p class="field-error" role="alert">{name}: {message}</p>)}
    </SearchBox>
  );
}

/**
 * A choice of time windows as links: the chosen one is marked, the others lead to their view.
 *
 * @param props.windows Each window's name and its words ("the last 24 hours").
 * @param props.path The URL of a window's view.
 */
export function WindowChoice<W extends string>(props: {
  windows: Record<W, string>;
  current: W;
  path: (window: W) => string;
  label: string;
}) {
  return (
    <nav class="chips" aria-label={props.label}>
      {(Object.keys(props.windows) as W[]).map((w) =>
        w === props.current
          ? <strong class="chip" aria-current="true">{props.windows[w]}</strong>
          : <a class="chip" href={props.path(w)}>{props.windows[w]}</a>
      )}
    </nav>
  );
}
