// Every string in a report comes from results.json, i.e. from scenario files, channel names and
// broker error texts: all of it is escaped, never trusted as markup.

const HTML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text or attribute value for HTML/SVG (both quote styles are safe). */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (ch) => HTML[ch]);
}

// XML 1.0 cannot carry most C0 control characters even as references; lone surrogates neither.
const XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Text or attribute value for XML: escaped, and characters XML cannot represent replaced by U+FFFD. */
export function escapeXml(value: unknown): string {
  return escapeHtml(String(value ?? '').replace(XML_INVALID, '\uFFFD'));
}
