import type { ServerResponse } from 'node:http';
import { Controller, Get, Header, Inject, Param, Res, StreamableFile } from '@nestjs/common';
import { BrokerError } from '../broker.errors';
import { BROKER_CONFIG, type BrokerConfig } from '../config/config.schema';
import { API_DOCS_CONTENT_SECURITY_POLICY } from '../http/security-headers';
import { Public } from '../identity/auth.guard';
import { API_DOCS_HTML, type ApiDocsAsset, loadApiDocsAssets } from './api-docs.page';
import { buildOpenApiDocument } from './openapi.document';

const API_VERSION = '1.0.0';

/**
 * The API docs: `GET /api/docs` is Swagger UI over the OpenAPI document, `GET /api/docs/openapi.json` the document
 * (with the development issuer's key set when that issuer is on), `GET /api/docs/assets/{file}` the page's files.
 */
@Controller('api/docs')
@Public()
export class OpenApiHttpController {
  private readonly document: Record<string, unknown>;
  private readonly assets: ReadonlyMap<string, ApiDocsAsset>;

  constructor(@Inject(BROKER_CONFIG) config: Pick<BrokerConfig, 'auth'>) {
    this.document = buildOpenApiDocument(API_VERSION, { devIssuer: config.auth.devIssuer !== null });
    this.assets = loadApiDocsAssets();
  }

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  page(@Res({ passthrough: true }) response: ServerResponse): string {
    response.setHeader('Content-Security-Policy', API_DOCS_CONTENT_SECURITY_POLICY);
    return API_DOCS_HTML;
  }

  @Get('openapi.json')
  show(): Record<string, unknown> {
    return this.document;
  }

  @Get('assets/:file')
  asset(@Param('file') file: string): StreamableFile {
    const asset = this.assets.get(file);
    if (asset === undefined) {
      throw new BrokerError('BROKER_ROUTE_NOT_FOUND', `no file ${file} belongs to the API docs page`);
    }
    return new StreamableFile(asset.body, { type: asset.contentType, length: asset.body.length });
  }
}
