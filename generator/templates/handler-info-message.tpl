/** The `{{name}}` message, handled in `handleInfo`. */
export interface {{Type}} {
  kind: "{{name}}";
}

/** Is `msg` a {{Type}}? */
export function is{{Type}}(msg: unknown): msg is {{Type}} {
  return (msg as {{Type}} | null)?.kind === "{{name}}";
}
