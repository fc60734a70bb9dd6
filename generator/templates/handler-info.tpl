{{#down}}
if (isDown({{msg}})) {
{{#example}}
  // A monitored process went down: stop watching it.
  {{state}}.watching.delete({{msg}}.ref);
  return noreply(record({{state}}, "down"));
{{/example}}
{{^example}}
  // A monitored process went down: {{msg}}.pid, with {{msg}}.reason.
  return noreply({{state}});
{{/example}}
}
{{/down}}
{{^down}}
if (is{{Type}}({{msg}})) {
{{#example}}
  return noreply(record({{state}}, "{{name}}"));
{{/example}}
{{^example}}
  // Replace with your own handling of `{{name}}`.
  return noreply({{state}});
{{/example}}
}
{{/down}}
