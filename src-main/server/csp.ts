/** The renderer's Content-Security-Policy: own scripts only, no remote content, WebSocket to this host. */
export function contentSecurityPolicy(wsOrigin?: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    // Vue/ECharts set inline style attributes; no inline <style> from remote sources is possible anyway.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    "font-src 'self'",
    `connect-src 'self'${wsOrigin ? ` ${wsOrigin}` : ''}`,
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
  ].join('; ');
}
