/**
 * The URLs of the pages that link to each other: a queue, its performance view, an element, a
 * process's log view, a trigger. Every view builds these links here, so a path changes in one
 * place.
 * @module
 */

/** The URL of a queue's page (`null`: the elements of every queue). */
export function queuePath(queue: string | null): string {
  return `/queues/${queue === null ? "all" : encodeURIComponent(queue)}`;
}

/** The URL of a queue's performance view over `days` days. */
export function performancePath(queue: string, days = 7): string {
  return `${queuePath(queue)}/performance${days === 7 ? "" : `?days=${days}`}`;
}

/** The URL of an element's page. */
export function elementPath(queue: string, id: string): string {
  return `${queuePath(queue)}/elements/${encodeURIComponent(id)}`;
}

/** The URL of a process's log view (`null`: all processes). */
export function logsPath(process: string | null): string {
  return `/logs/${process === null ? "all" : encodeURIComponent(process)}`;
}

/** The URL of a trigger's detail view. */
export function triggerPath(id: string): string {
  return `/triggers/${encodeURIComponent(id)}`;
}
