/**
 * Checks `web.config` (IIS + HttpPlatformHandler): well-formed XML, read by a small parser that
 * refuses what an XML parser refuses, and the settings the deployment depends on.
 * @module
 */
import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "../lib/config.ts";

/** An element: its name, attributes, child elements and the comments directly inside it. */
type Element = {
  name: string;
  attrs: Record<string, string>;
  children: Element[];
  comments: string[];
};

const NAME = /[A-Za-z_:][-\w.:]*/y;
const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/** Parses a whole XML document; throws on anything that is not well-formed. */
function parseXml(text: string): { root: Element; comments: string[] } {
  let at = 0;
  const fail = (why: string): never => {
    const line = text.slice(0, at).split("\n").length;
    throw new Error(`Cannot parse XML: ${why} (line ${line})`);
  };
  const startsWith = (s: string) => text.startsWith(s, at);
  const skipSpace = () => {
    while (at < text.length && /\s/.test(text[at])) at++;
  };
  const name = (): string => {
    NAME.lastIndex = at;
    const m = NAME.exec(text);
    if (!m) fail("a name was expected");
    at += m![0].length;
    return m![0];
  };
  const decode = (raw: string): string =>
    raw.replace(/&([^;]*);?/g, (whole, ref: string) => {
      if (!whole.endsWith(";")) fail(`a bare '&' in ${JSON.stringify(raw)}`);
      if (ref in ENTITIES) return ENTITIES[ref];
      const m = /^#(?:x([0-9a-fA-F]+)|(\d+))$/.exec(ref);
      if (!m) fail(`the unknown entity &${ref};`);
      return String.fromCodePoint(parseInt(m![1] ?? m![2], m![1] ? 16 : 10));
    });
  const until = (end: string, what: string): string => {
    const stop = text.indexOf(end, at);
    if (stop < 0) fail(`an unterminated ${what}`);
    const body = text.slice(at, stop);
    at = stop + end.length;
    return body;
  };
  const comment = (): string => {
    at += 4;
    const body = until("-->", "comment");
    if (body.includes("--") || body.endsWith("-")) fail("'--' inside a comment");
    return body;
  };
  const instruction = () => {
    at += 2;
    if (name().toLowerCase() === "xml") fail("an XML declaration that is not at the start");
    until("?>", "processing instruction");
  };
  const misc = (into: string[]) => {
    for (;;) {
      skipSpace();
      if (startsWith("<!--")) into.push(comment());
      else if (startsWith("<?")) instruction();
      else return;
    }
  };
  const element = (): Element => {
    if (!startsWith("<")) fail("an element was expected");
    at++;
    const el: Element = { name: name(), attrs: {}, children: [], comments: [] };
    for (;;) {
      const before = at;
      skipSpace();
      if (startsWith("/>")) {
        at += 2;
        return el;
      }
      if (startsWith(">")) {
        at++;
        break;
      }
      if (at === before) fail(`no space before an attribute of <${el.name}>`);
      const attr = name();
      if (attr in el.attrs) fail(`the attribute ${attr} twice in <${el.name}>`);
      skipSpace();
      if (text[at] !== "=") fail(`'=' expected after ${attr}`);
      at++;
      skipSpace();
      const quote = text[at];
      if (quote !== '"' && quote !== "'") fail(`the value of ${attr} is not quoted`);
      at++;
      const raw = until(quote, "attribute value");
      if (raw.includes("<")) fail(`'<' in the value of ${attr}`);
      el.attrs[attr] = decode(raw);
    }
    for (;;) {
      if (at >= text.length) fail(`<${el.name}> is never closed`);
      if (startsWith("</")) {
        at += 2;
        const end = name();
        if (end !== el.name) fail(`</${end}> closes <${el.name}>`);
        skipSpace();
        if (text[at] !== ">") fail(`'>' expected after </${end}`);
        at++;
        return el;
      }
      if (startsWith("<!--")) el.comments.push(comment());
      else if (startsWith("<![CDATA[")) {
        at += 9;
        until("]]>", "CDATA section");
      } else if (startsWith("<?")) instruction();
      else if (startsWith("<")) el.children.push(element());
      else {
        const next = text.indexOf("<", at);
        const raw = text.slice(at, next < 0 ? text.length : next);
        if (raw.includes("]]>")) fail("']]>' in text");
        decode(raw);
        at += raw.length;
      }
    }
  };

  const comments: string[] = [];
  if (text.charCodeAt(0) === 0xfeff) at = 1;
  if (startsWith("<?xml")) {
    const decl = until("?>", "XML declaration");
    if (!/^<\?xml\s+version\s*=\s*(["'])1\.[0-9]\1/.test(decl + "?>")) fail("a bad declaration");
  }
  misc(comments);
  const root = element();
  misc(comments);
  if (at < text.length) fail("content after the root element");
  return { root, comments };
}

function child(el: Element, name: string): Element {
  const found = el.children.filter((c) => c.name === name);
  assert.equal(found.length, 1, `one <${name}> in <${el.name}>`);
  return found[0];
}

function path(el: Element, ...names: string[]): Element {
  return names.reduce(child, el);
}

const WEB_CONFIG = new URL("../web.config", import.meta.url);

async function webConfig() {
  return parseXml(await Deno.readTextFile(WEB_CONFIG));
}

function environment(root: Element): Record<string, string> {
  const vars = path(root, "system.webServer", "httpPlatform", "environmentVariables").children;
  for (const v of vars) assert.equal(v.name, "environmentVariable");
  return Object.fromEntries(vars.map((v) => [v.attrs.name, v.attrs.value]));
}

Deno.test("the XML check refuses documents that are not well-formed", () => {
  const good = `<?xml version="1.0"?><!-- c --><a x="1 &amp; 2"><b/><c y='&#x41;'>t</c></a>`;
  const parsed = parseXml(good);
  assert.equal(parsed.root.attrs.x, "1 & 2");
  assert.equal(parsed.root.children[1].attrs.y, "A");
  for (
    const bad of [
      "<a><b></a></b>",
      "<a x=1/>",
      '<a x="1" x="2"/>',
      "<a>fish & chips</a>",
      '<a x="&nope;"/>',
      "<a/><b/>",
      "<a>",
      "<!-- a -- b --><a/>",
      '<a x="1"y="2"/>',
      "<a/>trailing",
      '<a><?xml version="1.0"?></a>',
    ]
  ) {
    assert.throws(() => parseXml(bad), /Cannot parse XML/, bad);
  }
});

Deno.test("web.config is well-formed and starts the binary through HttpPlatformHandler", async () => {
  const { root } = await webConfig();
  assert.equal(root.name, "configuration");
  const server = child(root, "system.webServer");
  const handler = path(server, "handlers", "add");
  assert.equal(handler.attrs.modules, "httpPlatformHandler");
  assert.equal(handler.attrs.path, "*");
  assert.equal(handler.attrs.verb, "*");

  const platform = child(server, "httpPlatform").attrs;
  assert.equal(platform.processPath, ".\\openorchestrator-web.exe");
  assert.equal(platform.arguments, "");
  assert.equal(platform.forwardWindowsAuthToken, "true");
  assert.equal(platform.stdoutLogEnabled, "true");
  assert.equal(platform.stdoutLogFile, ".\\logs\\stdout");
  assert.match(platform.startupTimeLimit, /^\d+$/);
  assert.ok(Number(platform.startupTimeLimit) >= 10 && Number(platform.startupTimeLimit) <= 3600);
  assert.match(platform.requestTimeout, /^\d\d:\d\d:\d\d$/);
});

Deno.test("web.config turns Windows authentication on and anonymous off, and says how to unlock", async () => {
  const { root } = await webConfig();
  const server = child(root, "system.webServer");
  const auth = path(server, "security", "authentication");
  assert.equal(child(auth, "windowsAuthentication").attrs.enabled, "true");
  assert.equal(child(auth, "anonymousAuthentication").attrs.enabled, "false");
  const notes = server.comments.join("\n");
  assert.match(
    notes,
    /unlock config -section:system\.webServer\/security\/authentication\/windowsAuthentication/,
  );
  assert.match(notes, /anonymousAuthentication/);
});

Deno.test("web.config sets the environment the app reads, and nothing it does not read", async () => {
  const { root } = await webConfig();
  const env = environment(root);
  assert.deepEqual(Object.keys(env).sort(), [
    "HOST",
    "OO_ADMINS",
    "OO_ALERTS",
    "OO_ALERT_DATABASE_MINUTES",
    "OO_ALERT_MAIL_FROM",
    "OO_ALERT_MAIL_TO",
    "OO_ALERT_QUEUE_MINUTES",
    "OO_ALERT_REPEAT_MINUTES",
    "OO_ALERT_SCHEDULER_MINUTES",
    "OO_ALERT_SMTP_HOST",
    "OO_ALERT_SMTP_PASSWORD",
    "OO_ALERT_SMTP_PORT",
    "OO_ALERT_SMTP_SECURITY",
    "OO_ALERT_SMTP_USER",
    "OO_ALERT_WEBHOOK_FORMAT",
    "OO_ALERT_WEBHOOK_URL",
    "OO_AUTH",
    "OO_METRICS_TOKEN",
    "OO_ORIGIN",
    "OO_PUBLIC_URL",
    "OO_VIEWERS",
    "OpenOrchestratorKey",
    "OpenOrchestratorSQL",
  ]);
  assert.equal(env.OO_AUTH, "iis");
  assert.equal(env.HOST, "127.0.0.1");
  const source = await Deno.readTextFile(new URL("../lib/config.ts", import.meta.url));
  for (const name of Object.keys(env)) {
    assert.ok(source.includes(`env.${name}`) || source.includes(`"${name}"`), name);
  }

  // As IIS starts it: the placeholder key stops start-up with a line naming the variable.
  const started = { ...env, HTTP_PLATFORM_PORT: "31544" };
  assert.throws(
    () => loadConfig(started),
    (error: Error) =>
      error instanceof ConfigError && error.message.startsWith("OpenOrchestratorKey:"),
  );
  // With a real key, everything else is accepted as it stands.
  const config = loadConfig({ ...started, OpenOrchestratorKey: `${"k".repeat(43)}=` });
  assert.equal(config.port, 31544);
  assert.equal(config.host, "127.0.0.1");
  assert.equal(config.auth, "iis");
  assert.equal(config.database.kind, "mssql");
  assert.deepEqual(config.admins, ["domain\\rpa-admins"]);
  assert.deepEqual(config.viewers, ["domain\\rpa-viewers"]);
  assert.equal(config.origin, "https://rpa.example.org");
  assert.equal(config.alerts.enabled, true);
  assert.equal(config.alerts.webhook?.format, "teams");
  assert.equal(config.alerts.smtp?.port, 587);
  assert.equal(config.publicUrl, "https://rpa.example.org");
  assert.ok(config.metricsToken);
});

Deno.test("web.config lets /healthz and /metrics answer anonymously, with no Windows token forwarded", async () => {
  const { root } = await webConfig();
  const locations = root.children.filter((c) => c.name === "location");
  assert.deepEqual(locations.map((l) => l.attrs.path), ["healthz", "metrics"]);
  for (const location of locations) {
    const auth = path(location, "system.webServer", "security", "authentication");
    assert.equal(child(auth, "anonymousAuthentication").attrs.enabled, "true");
    assert.equal(child(auth, "windowsAuthentication").attrs.enabled, "false");
  }
});
