/** `{{name}}`: replace this body with your own. */
{{name}}(_arg: void, _from: From, state: {{State}}) {
  return reply("ok" as const, state);
},
