/** The app version, shown by /healthz. */
export const VERSION = "0.1.0";
