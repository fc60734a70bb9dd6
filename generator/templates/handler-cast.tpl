/** `{{name}}`: replace this body with your own. */
{{name}}(_arg: void, state: {{State}}) {
  return noreply(state);
},
