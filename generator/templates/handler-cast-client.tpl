/** Casts `{{name}}` to `server`; returns "ok" at once. */
export const {{name}} = (server: ServerRef) => {{Server}}.cast(server, "{{name}}");
