{{#example}}
/** `{{name}}`: {{#monitor}}monitors the process it is given (its DOWN drops it), and {{/monitor}}records it. */
{{/example}}
{{^example}}
/** `{{name}}`: replace this body with your own. */
{{/example}}
{{name}}({{param}}, state: {{State}}) {
{{#monitor}}
  {{monitor}}
{{/monitor}}
{{#example}}
  return noreply(record(state, "{{name}}"));
{{/example}}
{{^example}}
  return noreply(state);
{{/example}}
},
