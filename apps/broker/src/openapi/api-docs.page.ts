import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Where the docs page and its parts are served; absolute, since `/api/docs` and `/api/docs/` both reach the page. */
export const API_DOCS_PATH = '/api/docs';
export const OPENAPI_JSON_PATH = `${API_DOCS_PATH}/openapi.json`;
const ASSETS_PATH = `${API_DOCS_PATH}/assets`;

/** One file the docs page loads, kept in memory: the broker serves nothing else from node_modules. */
export interface ApiDocsAsset {
  contentType: string;
  body: Buffer;
}

// The page's own start-up script: a separate file, so the page's CSP needs no inline script. No validator badge: it
// would send the document to validator.swagger.io.
const START_SCRIPT = `'use strict';
window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: '${OPENAPI_JSON_PATH}',
    dom_id: '#swagger-ui',
    deepLinking: true,
    validatorUrl: null,
    tryItOutEnabled: false,
    persistAuthorization: false,
  });
});
`;

const SWAGGER_UI_FILES: Readonly<Record<string, string>> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
};

/** Reads Swagger UI's files from the installed swagger-ui-dist package (never a CDN), plus the start-up script. */
export function loadApiDocsAssets(): ReadonlyMap<string, ApiDocsAsset> {
  const packageDir = dirname(require.resolve('swagger-ui-dist/package.json'));
  const assets = new Map<string, ApiDocsAsset>();
  for (const [name, contentType] of Object.entries(SWAGGER_UI_FILES)) {
    assets.set(name, { contentType, body: readFileSync(join(packageDir, name)) });
  }
  assets.set('api-docs.js', { contentType: 'text/javascript; charset=utf-8', body: Buffer.from(START_SCRIPT) });
  return assets;
}

/** The HTML of `GET /api/docs`: Swagger UI over the broker's OpenAPI document, with a link to the raw JSON. */
export const API_DOCS_HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Feasibility broker API</title>
    <link rel="stylesheet" href="${ASSETS_PATH}/swagger-ui.css">
  </head>
  <body>
    <main>
      <p>The OpenAPI 3.1 document as JSON: <a href="${OPENAPI_JSON_PATH}">${OPENAPI_JSON_PATH}</a>.
        Choose <strong>Authorize</strong> and paste a bearer token to try the operations.</p>
      <div id="swagger-ui"></div>
    </main>
    <script src="${ASSETS_PATH}/swagger-ui-bundle.js"></script>
    <script src="${ASSETS_PATH}/api-docs.js"></script>
  </body>
</html>
`;
