/** CSV as spreadsheets read it (RFC 4180): fields with a comma, quote or line break are quoted, quotes doubled. */

export function csvField(v: string | number | null | undefined): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One CSV line (without its line break). */
export function csvLine(fields: (string | number | null | undefined)[]): string {
  return fields.map(csvField).join(',');
}
