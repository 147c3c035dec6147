import { Controller, Get } from '@nestjs/common';
import { Public } from '../identity/auth.guard';
import { buildOpenApiDocument } from './openapi.document';

const API_VERSION = '1.0.0';

/** `GET /api/docs`: the OpenAPI document as JSON. */
@Controller('api/docs')
@Public()
export class OpenApiHttpController {
  private readonly document = buildOpenApiDocument(API_VERSION);

  @Get()
  show(): Record<string, unknown> {
    return this.document;
  }
}
