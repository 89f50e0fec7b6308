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

// `/` anywhere but in a field goes to the header's search box.
document.addEventListener("keydown", (event) => {
  if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target;
  if (target.closest?.("input, textarea, select, [contenteditable]")) return;
  const box = document.getElementById("find-q");
  if (!box) return;
  event.preventDefault();
  box.focus();
  box.select();
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
  // The header's search box, an ARIA combobox: htmx fills the listbox as you type; the arrows
  // move the active option (the focus stays in the box), Enter opens it, Escape closes the list.
  Alpine.data("searchBox", () => ({
    init() {
      // The list's own answer resets the choice; the log messages that load into it later do not.
      this.$el.addEventListener("htmx:afterSwap", (event) => {
        if (event.detail.target === this.$refs.list) this.show(true);
      });
    },
    options() {
      return [...this.$refs.list.querySelectorAll('[role="option"]:not([aria-disabled="true"])')];
    },
    /** The index of the active option (by its id: options may load meanwhile), or -1. */
    active() {
      const id = this.$refs.input.getAttribute("aria-activedescendant");
      return id ? this.options().findIndex((option) => option.id === id) : -1;
    },
    show(open) {
      const { input, list } = this.$refs;
      const shown = open && input.value.trim() !== "" && list.children.length > 0;
      list.hidden = !shown;
      input.setAttribute("aria-expanded", String(shown));
      this.choose(-1);
    },
    choose(index) {
      const options = this.options();
      options.forEach((option, i) => option.setAttribute("aria-selected", String(i === index)));
      const current = options[index];
      if (current) {
        this.$refs.input.setAttribute("aria-activedescendant", current.id);
        current.scrollIntoView({ block: "nearest" });
      } else {
        this.$refs.input.removeAttribute("aria-activedescendant");
      }
    },
    key(event) {
      const { list } = this.$refs;
      const count = this.options().length;
      const active = this.active();
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (list.hidden) this.show(true);
        if (!count || list.hidden) return;
        const step = event.key === "ArrowDown" ? 1 : -1;
        this.choose(active === -1 && step < 0 ? count - 1 : (active + step + count) % count);
      } else if (event.key === "Enter" && active >= 0 && !list.hidden) {
        event.preventDefault();
        location.assign(this.options()[active].href);
      } else if (event.key === "Escape" && !list.hidden) {
        event.preventDefault();
        this.show(false);
      }
    },
    reopen() {
      if (this.$refs.list.hidden) this.show(true);
    },
    leave(event) {
      if (!this.$el.contains(event.relatedTarget)) this.show(false);
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
