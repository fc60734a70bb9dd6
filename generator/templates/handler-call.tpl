{{#example}}
/** `{{name}}`: {{#monitor}}monitors the process it is given (its DOWN drops it), and {{/monitor}}replies with the number of things handled before it. */
{{/example}}
{{^example}}
/** `{{name}}`: replace this body with your own. */
{{/example}}
{{name}}({{param}}, {{from}}: From, state: {{State}}) {
{{#monitor}}
  {{monitor}}
{{/monitor}}
{{#example}}
  return reply(state.handled.length, record(state, "{{name}}"));
{{/example}}
{{^example}}
  return reply("ok" as const, state);
{{/example}}
},
