import { loadDemoConfig } from './config.schema';

describe('loadDemoConfig', () => {
  it('defaults to port 3000 on loopback, a local nats-server and .demo/', () => {
    expect(loadDemoConfig({})).toEqual({
      ok: true,
      value: { natsUrl: null, broker: { host: '127.0.0.1', port: 3000 }, demoDir: '.demo' },
    });
  });

  it('takes NATS_URL, BROKER_PORT and DEMO_DIR from the environment and ignores empty values', () => {
    const loaded = loadDemoConfig({ NATS_URL: 'nats://nats:4222', BROKER_PORT: '3100', DEMO_DIR: '', BROKER_HOST: '' });
    expect(loaded).toEqual({
      ok: true,
      value: { natsUrl: 'nats://nats:4222', broker: { host: '127.0.0.1', port: 3100 }, demoDir: '.demo' },
    });
  });

  it('lists every bad variable at once', () => {
    const loaded = loadDemoConfig({ NATS_URL: 'http://example.org', BROKER_PORT: '70000' });
    expect(loaded.ok).toBe(false);
    expect(loaded.ok ? [] : loaded.error.map((line) => line.split(':')[0])).toEqual(['NATS_URL', 'BROKER_PORT']);
  });
});
