/**
 * Values an attacker or a careless hand can put in a free-text field (a reason, a name, an error, a
 * ticket URL), for the escaping tests of every target format.
 */
export const HOSTILE = [
  '@all please look',
  'ping @here and @channel',
  '[click me](javascript:alert(1))',
  '![pixel](https://evil.example/p.png)',
  '<img src=x onerror=alert(1)>',
  '<a href="https://evil.example">Zendesk</a>',
  'ok\n/close\n/label ~bug',
  '/unlabel ~"Mechanizer::Emergency License Generation"',
  '`code` and ``` fenced ``` and a lone `',
  'see #1, !2, ~urgent, %"milestone", $3 and &4',
  '<!channel> <@U123> <https://evil.example|Your ticket>',
  '&lt;b&gt; & &amp; &#64;all',
  '*bold* _italic_ ~strike~ > quote',
  '1. a list\n- item\n# heading\n---',
  'trailing backslash \\',
  'line\u2028separator\u0085next\u202eevil',
] as const;
