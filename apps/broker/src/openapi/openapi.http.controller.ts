import { Controller, Get, Inject } from '@nestjs/common';
import { BROKER_CONFIG, type BrokerConfig } from '../config/config.schema';
import { Public } from '../identity/auth.guard';
import { buildOpenApiDocument } from './openapi.document';

const API_VERSION = '1.0.0';

/** `GET /api/docs`: the OpenAPI document as JSON, with the development issuer's key set when that issuer is on. */
@Controller('api/docs')
@Public()
export class OpenApiHttpController {
  private readonly document: Record<string, unknown>;

  constructor(@Inject(BROKER_CONFIG) config: Pick<BrokerConfig, 'auth'>) {
    this.document = buildOpenApiDocument(API_VERSION, { devIssuer: config.auth.devIssuer !== null });
  }

  @Get()
  show(): Record<string, unknown> {
    return this.document;
  }
}
