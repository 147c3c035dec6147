import { Controller, Get } from '@nestjs/common';
import type { SiteStateList } from '@fq/contracts';
import { SiteRegistryService } from './site-registry.service';

/** `GET /api/v1/sites`: the network's members and whether they are online. */
@Controller('api/v1/sites')
export class SitesHttpController {
  constructor(private readonly registry: SiteRegistryService) {}

  @Get()
  list(): SiteStateList {
    return this.registry.states();
  }
}
