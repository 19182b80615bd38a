const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * `text` safe to put in HTML text or in a quoted attribute: `& < > " '` as entities. Everything
 * the page renders on the server goes through it; what the page's script renders in the browser
 * is set as `textContent`, never as HTML.
 */
export function escapeHtml(text: string): string {
  return String(text).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

const SCRIPT_ESCAPES: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/**
 * `value` as JSON safe inside a `<script type="application/json">` element: `<`, `>` and `&` as
 * `\u` escapes (so a `</script>` in metadata cannot end the element, nor `<!--` open a comment),
 * and U+2028/U+2029 escaped too. `JSON.parse` of the element's text gives `value` back.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => SCRIPT_ESCAPES[c]!);
}
