/** Casts `{{name}}` to `server`; returns "ok" at once. */
export const {{name}} = (server: ServerRef{{clientParam}}) => {{Server}}.cast(server, "{{name}}"{{clientArg}});
