// Everything the page shows comes from files a run wrote (strategy names,
// messages, tool versions): text is escaped for HTML, data for a script
// block, so nothing in a run folder can inject markup or script.

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text safe as HTML content or as a quoted attribute value. */
export function esc(text: string | number): string {
  return String(text).replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}

/**
 * JSON safe inside `<script type="application/json">`: `<`, `>` and `&`
 * become \u escapes, so `</script>` in a value cannot end the block, and
 * U+2028/U+2029 cannot break older parsers. JSON.parse reads it unchanged.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * Code placed in a `<script>` or `<style>` element as is. It comes from this
 * project and an npm package, never from a run, so a closing tag in it is a
 * packaging mistake: refuse it rather than rewrite someone's code.
 */
export function inlineCode(code: string, element: 'script' | 'style'): string {
  if (new RegExp(`</${element}`, 'i').test(code)) {
    throw new Error(`inline ${element} contains </${element}: it would end the element early`);
  }
  return code;
}
