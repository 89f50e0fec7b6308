/**
 * The Settings page: which key is configured, generating a new one, what the database is, and
 * initializing an empty one, the alerts and metrics (with a test alert), and the self-check.
 * @module
 */
import type { DbInfo } from "../db/connection.ts";
import type { Check } from "../db/doctor.ts";
import type { FieldErrors } from "../lib/list.ts";
import { FormError } from "./forms.tsx";

/** The alert and metrics configuration as the page shows it: never a secret. */
export type AlertSettings = {
  /** Whether this instance sends alerts (`OO_ALERTS`). */
  enabled: boolean;
  /** The webhook's format and host (its path and query may hold a secret). */
  webhook: string | null;
  /** The SMTP server, its security, the login's user name, sender and recipients. */
  email: string | null;
  /** What raises an alert, with the thresholds. */
  rules: string[];
  publicUrl: string;
  metrics: boolean;
};

/** What a test alert did on each channel. */
export type TestAlertResult = { channel: string; error: string | null };

/** What the Settings page shows. */
export type SettingsView = {
  alerts: AlertSettings;
  info: DbInfo;
  engine: string;
  /** The configured key's fingerprint, or null when none is configured. */
  fingerprint: string | null;
  demoKey: boolean;
  canWrite: boolean;
  missingIndexes: string[];
};

/** An admin's button that posts to `url` and swaps the answer in for `#target`. */
function PostButton(props: { url: string; target: string; label: string }) {
  return (
    <button
      type="button"
      class="secondary"
      hx-post={props.url}
      hx-target={`#${props.target}`}
      hx-swap="outerHTML"
    >
      {props.label}
    </button>
  );
}

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
        <PostButton url="/settings/doctor" target="doctor-report" label="Run the self-check" />
      )}
      <div id="doctor-report"></div>
    </section>
  );
}

/** What the test alert did, channel by channel. */
export function TestAlertReport(props: { results: TestAlertResult[] }) {
  return (
    <div id="alert-test" role="status">
      {props.results.length === 0
        ? (
          <p class="flash flash-error">
            No channel is configured: set OO_ALERT_WEBHOOK_URL or OO_ALERT_SMTP_HOST.
          </p>
        )
        : props.results.map((r) =>
          r.error === null
            ? <p class="flash flash-ok">Sent on the {r.channel}.</p>
            : <p class="flash flash-error">Not sent on the {r.channel}: {r.error}</p>
        )}
    </div>
  );
}

/** The alerts and metrics panel: the configuration without secrets, and a test alert. */
function AlertsPanel(props: { alerts: AlertSettings; canWrite: boolean }) {
  const { alerts } = props;
  return (
    <section class="card">
      <h2>Alerts and metrics</h2>
      <dl class="facts">
        <dt>Alerts from this instance</dt>
        <dd>{alerts.enabled ? "on" : "off (OO_ALERTS)"}</dd>
        <dt>Webhook</dt>
        <dd>{alerts.webhook ?? "none"}</dd>
        <dt>E-mail</dt>
        <dd>{alerts.email ?? "none"}</dd>
        <dt>Raised for</dt>
        <dd>
          <ul>
            {alerts.rules.map((r) => <li>{r}</li>)}
          </ul>
        </dd>
        <dt>Links start with</dt>
        <dd>
          <code>{alerts.publicUrl}</code>
        </dd>
        <dt>Prometheus metrics</dt>
        <dd>
          {alerts.metrics
            ? (
              <>
                <code>GET /metrics</code> with the bearer token of OO_METRICS_TOKEN
              </>
            )
            : "off (OO_METRICS_TOKEN is not set)"}
        </dd>
      </dl>
      {props.canWrite && (alerts.webhook || alerts.email) && (
        <PostButton url="/settings/alerts/test" target="alert-test" label="Send a test alert" />
      )}
      <div id="alert-test"></div>
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
          <PostButton url="/settings/key" target="new-key" label="Generate a new key" />
        )}
        <div id="new-key"></div>
      </section>
      <DatabasePanel {...props} />
      <AlertsPanel alerts={props.alerts} canWrite={props.canWrite} />
      <DoctorPanel canWrite={props.canWrite} />
    </>
  );
}
