/**
 * The Constants page: list, search, sort, page; create, edit value, delete.
 * @module
 */
import type { Constant } from "../db/constants.ts";
import type { Page } from "../db/list.ts";
import type { FieldErrors, ListDefinition, ListParams } from "../lib/list.ts";
import { DeleteButton, EditorLink, Field, NamedItemForm } from "./forms.tsx";
import { actionsColumn, changedColumn, DataTable, SearchBox } from "./table.tsx";

/** The list state and rows of one constants page. */
export type ConstantsView = {
  list: ListDefinition<never>;
  params: ListParams;
  /** What is wrong with the list's parameters (nothing when empty). */
  errors: FieldErrors;
  page: Page<Constant>;
  canWrite: boolean;
};

/** The constants table fragment. */
export function ConstantsTable(props: ConstantsView & { oob?: boolean }) {
  return (
    <DataTable<Constant>
      list={props.list}
      base="/constants"
      caption="Constants"
      params={props.params}
      errors={props.errors}
      page={props.page}
      oob={props.oob}
      empty={props.params.q ? "No constant matches this search." : "No constants yet."}
      rowKey={(r) => r.name}
      columns={[
        { key: "name", cell: (r) => <strong>{r.name}</strong> },
        { key: "value", cell: (r) => <span class="wrap">{r.value}</span> },
        changedColumn<Constant>(),
        ...actionsColumn<Constant>(props.canWrite, (r) => {
          const path = `/constants/${encodeURIComponent(r.name)}`;
          return (
            <>
              <EditorLink class="button secondary" href={`${path}/edit`}>Edit</EditorLink>
              <DeleteButton
                path={path}
                confirm={`Delete the constant "${r.name}"? Robots that read it will fail.`}
              />
            </>
          );
        }),
      ]}
    />
  );
}

/** The create or edit form; `original` is set when editing. */
export function ConstantForm(props: {
  values: { name: string; value: string };
  errors?: FieldErrors;
  original?: string;
}) {
  return (
    <NamedItemForm
      thing="constant"
      base="/constants"
      name={props.values.name}
      original={props.original}
      errors={props.errors}
    >
      <Field
        form="constant"
        name="value"
        label="Value"
        type="textarea"
        value={props.values.value}
        errors={props.errors}
        maxlength={1000}
        required
      />
    </NamedItemForm>
  );
}

/** The whole Constants page. */
export function ConstantsPage(props: ConstantsView & { editor?: unknown }) {
  return (
    <>
      <div class="page-head">
        <h1>Constants</h1>
        {props.canWrite && (
          <EditorLink class="button" href="/constants/new">New constant</EditorLink>
        )}
      </div>
      <p class="lead">Named values that robots read at run time. Values are shown as stored.</p>
      <section id="editor" aria-live="polite">{props.editor}</section>
      <SearchBox
        id="constants-table"
        base="/constants"
        q={props.params.q}
        label="Search names and values"
      />
      <ConstantsTable {...props} />
    </>
  );
}
