import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WebAppFiles } from './web-app.files';

/** What the handler needs of Express's response: send a file from disk with its content type. */
type FileResponse = ServerResponse & {
  sendFile(path: string, options: { headers: Record<string, string> }, done: (error?: unknown) => void): void;
};

/** Hashed file names change with their content, so a browser may keep them for a year without asking again. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * Express-style middleware that serves the browser app: its files by exact path (hashed assets cached for a year,
 * other files revalidated), and index.html (never stored, with the page's CSP) for /index.html and every other GET of
 * a path without a file extension, so client routes such as /queries/42 load the app. /api/* and everything else pass on.
 */
export function createWebAppHandler(
  app: WebAppFiles,
  pageCsp: string,
): (request: IncomingMessage, response: ServerResponse, next: (error?: unknown) => void) => void {
  return (request, response, next) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      next();
      return;
    }
    const path = new URL(request.url ?? '/', 'http://broker').pathname;
    if (path === '/api' || path.startsWith('/api/')) {
      next();
      return;
    }
    const file = app.files.get(path);
    if (file !== undefined) {
      const cacheControl = path.startsWith('/assets/') ? IMMUTABLE : 'no-cache';
      (response as FileResponse).sendFile(file, { headers: { 'Cache-Control': cacheControl } }, (error) => {
        if (error !== undefined && !response.headersSent) {
          next(error);
        }
      });
      return;
    }
    const lastSegment = path.slice(path.lastIndexOf('/') + 1);
    if (path !== '/index.html' && (lastSegment.includes('.') || path.startsWith('/assets/'))) {
      next();
      return;
    }
    response.statusCode = 200;
    response.setHeader('Content-Type', 'text/html; charset=utf-8');
    response.setHeader('Content-Length', String(app.indexHtml.length));
    response.setHeader('Cache-Control', 'no-store');
    response.setHeader('Content-Security-Policy', pageCsp);
    response.end(request.method === 'HEAD' ? undefined : app.indexHtml);
  };
}
