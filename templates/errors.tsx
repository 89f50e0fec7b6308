/**
 * Error views: never a stack trace, always what happened and where to go.
 * @module
 */

const TITLES: Record<number, string> = {
  400: "That request cannot be read",
  401: "Not signed in",
  403: "Not allowed",
  404: "Not found",
  409: "Changed by someone else",
  422: "Check the input",
  429: "Too many tries",
  500: "Something went wrong",
  503: "The database cannot be reached",
};

/** The body of an error page. */
export function ErrorView(props: { status: number; message: string }) {
  return (
    <section class="error-page">
      <p class="status">{props.status}</p>
      <h1>{TITLES[props.status] ?? "Error"}</h1>
      <p>{props.message}</p>
      <p>
        <a href="/dashboard">Go to the dashboard</a>
      </p>
    </section>
  );
}
