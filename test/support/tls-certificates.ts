import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A throwaway CA, a server certificate for 127.0.0.1 and one client certificate, as PEM files. */
export interface TestCertificates {
  caFile: string;
  serverCertFile: string;
  serverKeyFile: string;
  clientCertFile: string;
  clientKeyFile: string;
}

/** Creates the certificates with `openssl` in `dir` (valid for a day: a test world never lives longer). */
export async function createTestCertificates(dir: string): Promise<TestCertificates> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = (name: string): string => join(dir, name);
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await run('openssl', [
    'req',
    '-x509',
    ...key,
    '-days',
    '1',
    '-subj',
    '/CN=fq-e2e-ca',
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.pem'),
  ]);
  const issue = async (name: string, extensions: string): Promise<void> => {
    await writeFile(file(`${name}.ext`), extensions);
    await run('openssl', [
      'req',
      ...key,
      '-subj',
      `/CN=fq-e2e-${name}`,
      '-keyout',
      file(`${name}.key`),
      '-out',
      file(`${name}.csr`),
    ]);
    await run('openssl', [
      'x509',
      '-req',
      '-in',
      file(`${name}.csr`),
      '-CA',
      file('ca.pem'),
      '-CAkey',
      file('ca.key'),
      '-CAcreateserial',
      '-days',
      '1',
      '-extfile',
      file(`${name}.ext`),
      '-out',
      file(`${name}.pem`),
    ]);
  };
  await issue('server', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  await issue('client', 'extendedKeyUsage=clientAuth\n');
  return {
    caFile: file('ca.pem'),
    serverCertFile: file('server.pem'),
    serverKeyFile: file('server.key'),
    clientCertFile: file('client.pem'),
    clientKeyFile: file('client.key'),
  };
}

/** The nats-server `tls` block that requires every client to present a certificate signed by the test CA. */
export function renderServerTls(certificates: TestCertificates): string {
  return [
    'tls {',
    `  cert_file: ${JSON.stringify(certificates.serverCertFile)}`,
    `  key_file: ${JSON.stringify(certificates.serverKeyFile)}`,
    `  ca_file: ${JSON.stringify(certificates.caFile)}`,
    '  verify: true',
    '}',
    '',
  ].join('\n');
}
