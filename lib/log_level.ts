/**
 * The log levels as stored in `Logs.log_level`, in the order the pages show them, and their
 * labels.
 * @module
 */

/** The stored log levels, in the order the pages show them. */
export const LOG_LEVELS = ["TRACE", "INFO", "ERROR"] as const;

/** A stored log level. */
export type LogLevel = typeof LOG_LEVELS[number];

/** How each level is shown. */
export const LOG_LEVEL_LABELS: Record<LogLevel, string> = {
  TRACE: "Trace",
  INFO: "Info",
  ERROR: "Error",
};
