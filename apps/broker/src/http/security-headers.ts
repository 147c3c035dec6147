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

/**
 * The CSP of the browser app's page: its own scripts, styles, images and fonts only (no inline script or style, no
 * eval), API calls to the broker and, for sign-in, to the OIDC issuer; no framing, no base or form targets elsewhere.
 * @param issuer - the configured OIDC issuer URL, whose origin the page may call; null when there is none.
 */
export function webPageContentSecurityPolicy(issuer: string | null): string {
  const connect = issuer === null ? "'self'" : `'self' ${new URL(issuer).origin}`;
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src ${connect}`,
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * The CSP of the API docs page (`/api/docs`, Swagger UI): its script, stylesheet and start-up script from the broker
 * only (no inline script or style, no eval), its icons as data: images, and requests to the broker alone (the document
 * and "Try it out"); no framing, no base or form targets elsewhere. Every other API route keeps SECURITY_HEADERS'
 * `default-src 'none'`; a route with a page of its own sets its policy on its responses, as this one and the web app do.
 */
export const API_DOCS_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');
