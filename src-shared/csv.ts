// CSV as spreadsheets read it, for every export (core, CLI, renderer): written by hand because it is two rules of
// RFC 4180, smaller than any dependency.

/** One CSV field (RFC 4180): quoted when it holds a comma, quote, CR/LF or edge spaces; quotes doubled; objects as JSON. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A CSV document: header row then data rows, CRLF line ends (RFC 4180). */
export function toCsv(header: string[], rows: unknown[][]): string {
  return [header, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}
