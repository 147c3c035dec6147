import { connect } from 'nats';
import { acceptsConnections, type NatsServerHandle, startNatsServer } from '@fq/process-kit';
import { startWireTap } from './support';

describe('the e2e nats-server harness', () => {
  let server: NatsServerHandle;

  beforeAll(async () => {
    server = await startNatsServer();
  });

  afterAll(async () => {
    await server?.destroy();
  });

  it('restarts on the same port and keeps JetStream messages in its store directory', async () => {
    const before = await connect({ servers: server.url });
    const manager = await before.jetstreamManager();
    await manager.streams.add({ name: 'HARNESS', subjects: ['harness.>'] });
    await before.jetstream().publish('harness.one', new TextEncoder().encode('kept'));
    await before.close();

    await server.restart();

    expect(await acceptsConnections(server.port)).toBe(true);
    const after = await connect({ servers: server.url });
    const message = await (await after.jetstreamManager()).streams.getMessage('HARNESS', { seq: 1 });
    expect(new TextDecoder().decode(message.data)).toBe('kept');
    await after.close();
  });

  it('taps every message published on the server with its subject', async () => {
    const tap = await startWireTap(server.url);
    const publisher = await connect({ servers: server.url });
    publisher.publish('anything.at.all', new TextEncoder().encode('{"x":1}'));
    await publisher.flush();
    await publisher.close();
    await tap.flush();

    expect(tap.on('anything.at.all').map((m) => m.json)).toEqual([{ x: 1 }]);
    await tap.close();
  });
});
