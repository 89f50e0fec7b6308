/**
 * The Settings page: which key is configured, generating a new one, what the database is, and
 * initializing an empty one, and the self-check.
 * @module
 */
import type { DbInfo } from "../db/connection.ts";
import type { Check } from "../db/doctor.ts";
import type { FieldErrors } from "../lib/list.ts";
import { FormError } from "./forms.tsx";

/** What the Settings page shows. */
export type SettingsView = {
  info: DbInfo;
  engine: string;
  /** The configured key's fingerprint, or null when none is configured. */
  fingerprint: string | null;
  demoKey: boolean;
  canWrite: boolean;
  missingIndexes: string[];
};

/** A newly generated key, shown once. */
export function NewKey(props: { value: string }) {
  return (
    <div id="new-key" class="card" x-data="revealed" data-seconds="120">
      <p>
        A new key. Keep it where the robots' key is kept; this page will not show it again.
      </p>
      <div class="secret-row">
        <code class="secret">{props.value}</code>
        <button type="button" class="secondary" x-on:click="copy" data-secret={props.value}>
          Copy
        </button>
      </div>
      <p class="muted">
        Changing the key means re-encrypting every credential with it and setting it everywhere
        (robots, schedulers, this app) at once.
      </p>
    </div>
  );
}

/** The database panel (also the fragment after an init). */
export function DatabasePanel(props: SettingsView & { errors?: FieldErrors }) {
  const { info } = props;
  const yesNo = (v: boolean) => (v ? "yes" : "no");
  return (
    <section id="database-panel" class="card">
      <h2>Database</h2>
      <FormError errors={props.errors} />
      <dl class="facts">
        <dt>Engine</dt>
        <dd>{props.engine}</dd>
        <dt>Name</dt>
        <dd>{info.name}</dd>
        <dt>Schema revision</dt>
        <dd>
          <code>{info.revision ?? "none"}</code>
        </dd>
        <dt>Trigger git branch</dt>
        <dd>{yesNo(info.gitBranch)}</dd>
        <dt>Kill requests (KILLING)</dt>
        <dd>{yesNo(info.killing)}</dd>
        <dt>Jobs table</dt>
        <dd>{yesNo(info.jobs)}</dd>
        <dt>Id format</dt>
        <dd>{info.idFormat}</dd>
        <dt>Missing tables</dt>
        <dd>{info.missingTables.length ? info.missingTables.join(", ") : "none"}</dd>
        <dt>Recommended indexes missing</dt>
        <dd>
          {props.missingIndexes.length
            ? <pre class="sql">{props.missingIndexes.join(";\n")};</pre>
            : "none"}
        </dd>
      </dl>
      {props.canWrite && info.missingTables.length > 0 && (
        <button
          type="button"
          hx-post="/settings/init"
          hx-target="#database-panel"
          hx-swap="outerHTML"
          hx-confirm="Create the OpenOrchestrator tables in this database?"
        >
          Initialize the database
        </button>
      )}
    </section>
  );
}

/** The self-check's report (the same table `deno task doctor` prints). */
export function DoctorReport(props: { checks: Check[] }) {
  return (
    <div id="doctor-report">
      <table class="doctor">
        <thead>
          <tr>
            <th scope="col">Status</th>
            <th scope="col">Check</th>
            <th scope="col">Result</th>
            <th scope="col">Hint</th>
          </tr>
        </thead>
        <tbody>
          {props.checks.map((c) => (
            <tr class={`doctor-${c.status.toLowerCase()}`}>
              <td>
                <strong>{c.status}</strong>
              </td>
              <td>{c.check}</td>
              <td>{c.result}</td>
              <td>{c.hint}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The self-check panel: a button that runs it (admins: it writes, then rolls back). */
function DoctorPanel(props: { canWrite: boolean }) {
  return (
    <section class="card">
      <h2>Self-check</h2>
      <p>
        The same checks as{" "}
        <code>deno task doctor</code>: connection, login, permissions, schema, indexes, locking,
        clocks, every page's reads, and one write of each kind that is rolled back.
      </p>
      {props.canWrite && (
        <button
          type="button"
          class="secondary"
          hx-post="/settings/doctor"
          hx-target="#doctor-report"
          hx-swap="outerHTML"
        >
          Run the self-check
        </button>
      )}
      <div id="doctor-report"></div>
    </section>
  );
}

/** The whole Settings page. */
export function SettingsPage(props: SettingsView) {
  return (
    <>
      <div class="page-head">
        <h1>Settings</h1>
      </div>
      <section class="card">
        <h2>Encryption key</h2>
        <p>
          {props.fingerprint
            ? (
              <>
                Credentials are encrypted with the key whose fingerprint is{" "}
                <code>{props.fingerprint}</code>
                {props.demoKey &&
                  " (the demo key named in the README: set OpenOrchestratorKey for real use)"}.
              </>
            )
            : "No OpenOrchestratorKey is configured: passwords can be revealed with a typed key, but not set."}
        </p>
        {props.canWrite && (
          <button
            type="button"
            class="secondary"
            hx-post="/settings/key"
            hx-target="#new-key"
            hx-swap="outerHTML"
          >
            Generate a new key
          </button>
        )}
        <div id="new-key"></div>
      </section>
      <DatabasePanel {...props} />
      <DoctorPanel canWrite={props.canWrite} />
    </>
  );
}
