import { natsClientTls } from './nats-client-tls';

describe('natsClientTls', () => {
  it('passes on only the files that are set', () => {
    expect(natsClientTls({ caFile: '/ca.pem', certFile: null, keyFile: null })).toEqual({ caFile: '/ca.pem' });
    expect(natsClientTls({ caFile: null, certFile: '/c.pem', keyFile: '/k.pem' })).toEqual({
      certFile: '/c.pem',
      keyFile: '/k.pem',
    });
    expect(natsClientTls({ caFile: null, certFile: null, keyFile: null })).toEqual({});
  });
});
