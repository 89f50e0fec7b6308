// OpenOrchestrator Web: the small client-side state, as Alpine.data components (Alpine's CSP
// build evaluates no strings, so every behaviour is named here). Loaded before htmx and Alpine.
"use strict";

// Apply a chosen theme before the first paint; without a choice the system preference rules.
(function applyStoredTheme() {
  const stored = localStorage.getItem("oo-theme");
  if (stored === "dark" || stored === "light") document.documentElement.dataset.theme = stored;
})();

function isDark() {
  const theme = document.documentElement.dataset.theme;
  return theme ? theme === "dark" : matchMedia("(prefers-color-scheme: dark)").matches;
}

// A page with a list gets a second skip link, past the header and the filters to the rows.
document.addEventListener("DOMContentLoaded", () => {
  const link = document.querySelector("[data-skip-list]");
  const list = document.querySelector("main .table-wrap[id]");
  if (link && list) {
    link.href = `#${list.id}`;
    link.hidden = false;
  }
});

// The live clock: every 10 s while the tab is visible, live parts (hx-trigger="oo-tick from:body")
// refresh themselves; a hidden tab costs the server nothing.
setInterval(() => {
  if (document.visibilityState === "visible") {
    document.body.dispatchEvent(new CustomEvent("oo-tick"));
  }
}, 10_000);

// A live refresh never replaces a part the user is in: while the focus is inside it (a row's
// button, a field) or one of its <details> is open, the tick is skipped for that part.
document.addEventListener("htmx:configRequest", (event) => {
  const { triggeringEvent, elt } = event.detail;
  if (
    triggeringEvent?.type === "oo-tick" &&
    (elt.contains(document.activeElement) || elt.querySelector("details[open]"))
  ) {
    event.preventDefault();
  }
});

// Every htmx request sends the URL of what the page shows (a table's or a view's data-url) as
// OO-View: the answer to a change brings it as it is now, out of band, so no second request is
// needed to see the change.
document.addEventListener("htmx:configRequest", (event) => {
  const shown = document.querySelector("[data-url]");
  if (shown) event.detail.headers["OO-View"] = shown.dataset.url;
});

// After a row action (pause, resume, run now, delete) the row, or the whole table, is replaced
// and the focus would drop to <body>: it returns to the same row (by its data-key), to the
// control in the same place, or after a delete to the row that took its place.
const FOCUSABLE = "a[href], button:not([disabled]), input:not([type=hidden]), select, textarea";
let rowFocus = null;

document.addEventListener("htmx:beforeRequest", (event) => {
  const control = event.detail.elt;
  const row = control.closest?.("tr[data-key]");
  const table = row?.closest(".table-wrap[id]");
  if (!table) return;
  const rows = [...table.querySelectorAll("tbody tr")];
  rowFocus = {
    table: table.id,
    key: row.dataset.key,
    index: rows.indexOf(row),
    control: [...row.querySelectorAll(FOCUSABLE)].indexOf(control),
    at: Date.now(),
  };
});

document.addEventListener("htmx:afterSettle", () => {
  const lost = !document.activeElement || document.activeElement === document.body;
  if (!rowFocus || !lost || Date.now() - rowFocus.at > 5_000) return;
  const rows = [...(document.getElementById(rowFocus.table)?.querySelectorAll("tbody tr") ?? [])];
  const row = rows.find((r) => r.dataset.key === rowFocus.key) ??
    rows[Math.min(rowFocus.index, rows.length - 1)];
  const controls = row ? [...row.querySelectorAll(FOCUSABLE)] : [];
  controls[Math.max(0, Math.min(rowFocus.control, controls.length - 1))]?.focus();
});

// The #editor panel: opening it pushes its URL (hx-push-url); closing it (Close, Escape, or a
// change that empties it) puts back the URL it was opened from and the focus on its opener. On a
// page of its own (no list around it) closing goes to the list.
let editorOpened = null;

document.addEventListener("htmx:beforeRequest", (event) => {
  const { elt, target } = event.detail;
  if (target?.id === "editor" && elt.getAttribute("hx-push-url") === "true" && !editorOpened) {
    editorOpened = { url: location.href, opener: elt };
  }
});

document.addEventListener("htmx:historyRestore", () => {
  editorOpened = null;
});

function editorClosed() {
  if (!editorOpened) return;
  const { url, opener } = editorOpened;
  editorOpened = null;
  history.replaceState({ htmx: true }, "", url);
  const lost = !document.activeElement || document.activeElement === document.body;
  if (lost && opener.isConnected) opener.focus();
}

function closeEditor(from) {
  const editor = from ? from.closest("#editor") : document.getElementById("editor");
  if (!editor || editor.dataset.list) {
    location.assign(editor?.dataset.list ?? `/${location.pathname.split("/")[1]}`);
    return;
  }
  editor.replaceChildren();
  editorClosed();
}

document.addEventListener("htmx:afterSettle", (event) => {
  const { target } = event.detail;
  if (target?.id === "editor" && target.children.length === 0) editorClosed();
});

document.addEventListener("keydown", (event) => {
  const editor = document.getElementById("editor");
  if (event.key !== "Escape" || event.defaultPrevented || !editor?.children.length) return;
  closeEditor(null);
});

document.addEventListener("alpine:init", () => {
  const Alpine = globalThis.Alpine;

  // The theme toggle says its state (aria-pressed: dark or not).
  Alpine.data("themeToggle", () => ({
    init() {
      this.$el.setAttribute("aria-pressed", String(isDark()));
    },
    toggle() {
      const root = document.documentElement;
      root.dataset.theme = isDark() ? "light" : "dark";
      localStorage.setItem("oo-theme", root.dataset.theme);
      this.$el.setAttribute("aria-pressed", String(isDark()));
    },
  }));

  Alpine.data("closeEditor", () => ({
    close() {
      closeEditor(this.$el);
    },
  }));

  Alpine.data("flash", () => ({
    init() {
      setTimeout(() => this.$el.remove(), 8000);
    },
  }));

  // A secret on screen: counts down, then removes itself from the page.
  Alpine.data("revealed", () => ({
    left: 30,
    timer: 0,
    init() {
      this.left = Number(this.$el.dataset.seconds || 30);
      this.timer = setInterval(() => {
        this.left -= 1;
        if (this.left <= 0) this.hide();
      }, 1000);
    },
    destroy() {
      clearInterval(this.timer);
    },
    hide() {
      clearInterval(this.timer);
      const note = document.createElement("p");
      note.className = "muted";
      note.textContent = "Hidden again.";
      this.$el.replaceChildren(note);
    },
    async copy(event) {
      const button = event.currentTarget;
      try {
        await navigator.clipboard.writeText(button.dataset.secret ?? "");
        button.textContent = "Copied";
      } catch {
        button.textContent = "Copy failed: select the text";
      }
    },
  }));

  // The trigger form: the chosen type's fields show (and are sent); the git branch shows for a
  // git repository.
  Alpine.data("triggerForm", () => ({
    type: "",
    git: false,
    init() {
      this.type = this.$el.dataset.type;
      this.git = this.$el.dataset.git === "on";
    },
    choose(event) {
      this.type = event.target.value;
    },
    toggleGit(event) {
      this.git = event.target.checked;
    },
  }));
  // Queues and logs: a "select all on this page" box for the row boxes of the form named in
  // data-form (the boxes sit in the table and join the form through their form attribute).
  // The handler runs on the inner box, so the form is read from the component's root.
  Alpine.data("selectAll", () => ({
    toggle(event) {
      const form = this.$root.dataset.form;
      for (const box of document.querySelectorAll(`input[name="id"][form="${form}"]`)) {
        box.checked = event.target.checked;
      }
    },
  }));

  // The log view's live tail: while on and the tab is visible, every 5 s the body gets the event
  // oo-tail, which the table's hidden tail element (hx-trigger="oo-tail from:body") turns into a
  // request for the rows newer than the newest shown.
  Alpine.data("liveTail", () => ({
    on: false,
    timer: 0,
    init() {
      this.timer = setInterval(() => {
        if (this.on && document.visibilityState === "visible") {
          document.body.dispatchEvent(new CustomEvent("oo-tail"));
        }
      }, 5_000);
    },
    destroy() {
      clearInterval(this.timer);
    },
    toggle(event) {
      this.on = event.target.checked;
    },
  }));
});
