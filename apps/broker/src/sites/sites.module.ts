import { Module } from '@nestjs/common';
import { SiteRegistryService } from './site-registry.service';
import { SitesHttpController } from './sites.http.controller';

/** The site registry and its HTTP view. */
@Module({
  controllers: [SitesHttpController],
  providers: [SiteRegistryService],
  exports: [SiteRegistryService],
})
export class SitesModule {}
