/** Calls `{{name}}` on `server`; resolves with its reply. */
export const {{name}} = (server: ServerRef) => {{Server}}.call(server, "{{name}}");
