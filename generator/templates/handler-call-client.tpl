/** Calls `{{name}}` on `server`; resolves with its reply. */
export const {{name}} = (server: ServerRef{{clientParam}}) => {{Server}}.call(server, "{{name}}"{{clientArg}});
