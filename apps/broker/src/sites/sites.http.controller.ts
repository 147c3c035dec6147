import { Controller, Get } from '@nestjs/common';
import type { SiteStateList } from '@fq/contracts';
import { Public } from '../identity/auth.guard';
import { SiteRegistryService } from './site-registry.service';

/** `GET /api/v1/sites`: the network's members and whether they are online. */
@Controller('api/v1/sites')
// Network members are public, as is whether they are online; the docker-compose health check reads this too.
@Public()
export class SitesHttpController {
  constructor(private readonly registry: SiteRegistryService) {}

  @Get()
  list(): SiteStateList {
    return this.registry.states();
  }
}
