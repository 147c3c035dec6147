import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { HeartbeatPayload } from '@fq/contracts';
import type { JetStreamContext } from '@fq/jetstream-transport';
import { SiteMessagePattern } from '../transport/broker-transport';
import { SiteRegistryService } from './site-registry.service';

/** Sites' heartbeats, as the broker's envelope gate admitted them from the network. */
@Controller()
export class SiteHeartbeatsNatsController {
  constructor(private readonly sites: SiteRegistryService) {}

  /** Notes a site's sign of life at the time the NATS server stored it. */
  @EventPattern(SiteMessagePattern.Heartbeat)
  onHeartbeat(@Payload() heartbeat: HeartbeatPayload, @Ctx() context: JetStreamContext): void {
    this.sites.recordHeartbeat(heartbeat, context.storedAt);
  }
}
