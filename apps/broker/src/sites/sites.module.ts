import { Module } from '@nestjs/common';
import { SiteHeartbeatsNatsController } from './site-heartbeats.nats.controller';
import { SiteRegistryService } from './site-registry.service';
import { SitesHttpController } from './sites.http.controller';

/** The site registry, its HTTP view and the sites' heartbeats. */
@Module({
  controllers: [SitesHttpController, SiteHeartbeatsNatsController],
  providers: [SiteRegistryService],
  exports: [SiteRegistryService],
})
export class SitesModule {}
