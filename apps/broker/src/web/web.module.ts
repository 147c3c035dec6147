import { Module } from '@nestjs/common';
import { WebAppServer } from './web-app.server';
import { WebConfigHttpController } from './web-config.http.controller';

/** The browser app: its files at `/` (WebAppServer, installed by createBrokerApp) and its sign-in settings. */
@Module({
  controllers: [WebConfigHttpController],
  providers: [WebAppServer],
  exports: [WebAppServer],
})
export class WebModule {}
