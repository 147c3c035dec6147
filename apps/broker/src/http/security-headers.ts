import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Headers every broker response carries: an API answers JSON and event streams only, so nothing may be sniffed,
 * framed, cached by a shared cache, or leak a referrer; HSTS matters once a TLS proxy sits in front.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
  'Cache-Control': 'no-store',
};

/** Express-style middleware that sets SECURITY_HEADERS before any handler writes. */
export function setSecurityHeaders(_request: IncomingMessage, response: ServerResponse, next: () => void): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
    response.setHeader(name, value);
  }
  next();
}
