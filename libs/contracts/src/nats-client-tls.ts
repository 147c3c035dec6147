/** A NATS client's TLS files (PEM paths); null where not set. */
export interface NatsTlsFiles {
  caFile: string | null;
  certFile: string | null;
  keyFile: string | null;
}

/** The TLS files that are set, in the shape of the nats.js `tls` connect option. */
export function natsClientTls(files: NatsTlsFiles): { caFile?: string; certFile?: string; keyFile?: string } {
  return {
    ...(files.caFile === null ? {} : { caFile: files.caFile }),
    ...(files.certFile === null ? {} : { certFile: files.certFile }),
    ...(files.keyFile === null ? {} : { keyFile: files.keyFile }),
  };
}
