/**
 * The app's version, shown by /healthz.
 * @module
 */

/** The app version. */
export const VERSION = "0.1.0";
