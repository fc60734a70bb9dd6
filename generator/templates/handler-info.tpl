{{#down}}
if (isDown({{msg}})) {
  // A monitored process went down: {{msg}}.pid, with {{msg}}.reason.
  return noreply({{state}});
}
{{/down}}
{{^down}}
if (is{{Type}}({{msg}})) {
  // Replace with your own handling of `{{name}}`.
  return noreply({{state}});
}
{{/down}}
