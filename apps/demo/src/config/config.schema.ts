import { err, ok, type Result } from '@fq/result';
import { z } from 'zod';

/** The three synthetic sites of the demo network: different sizes, fixed seeds, so every run shows the same data. */
export const DEMO_SITES = [
  { id: 'uk-nord', name: 'Uniklinik Nord', patients: 20_000, seed: 101 },
  { id: 'uk-mitte', name: 'Uniklinik Mitte', patients: 8_000, seed: 202 },
  { id: 'uk-sued', name: 'Uniklinik Sued', patients: 3_000, seed: 303 },
] as const;
export type DemoSite = (typeof DEMO_SITES)[number];

const NATS_SERVER_URL = /^(nats|tls):\/\/[^\s,/:]+(?::\d{1,5})?\/?$/;

const Port = z
  .string()
  .trim()
  .regex(/^\d{1,5}$/, { error: 'must be a port number from 1 to 65535' })
  .transform(Number)
  .pipe(
    z
      .number()
      .int()
      .min(1, { error: 'must be a port number from 1 to 65535' })
      .max(65535, { error: 'must be a port number from 1 to 65535' }),
  );

/** The demo's environment: where NATS is (optional), the broker's port and host, and where the demo keeps its files. */
export const DemoEnv = z
  .object({
    NATS_URL: z
      .string()
      .trim()
      .regex(NATS_SERVER_URL, { error: 'must be one nats:// or tls:// URL, e.g. nats://127.0.0.1:4222' })
      .optional(),
    BROKER_PORT: Port.default(3000),
    BROKER_HOST: z.string().trim().min(1).default('127.0.0.1'),
    DEMO_DIR: z.string().trim().min(1).default('.demo'),
  })
  .transform((env) => ({
    /** null: start a local nats-server. */
    natsUrl: env.NATS_URL ?? null,
    broker: { host: env.BROKER_HOST, port: env.BROKER_PORT },
    demoDir: env.DEMO_DIR,
  }));
export type DemoConfig = z.output<typeof DemoEnv>;

/** Parses the environment once (empty values count as unset); every problem is listed as `NAME: message`. */
export function loadDemoConfig(env: Readonly<Record<string, string | undefined>>): Result<DemoConfig, string[]> {
  const names = ['NATS_URL', 'BROKER_PORT', 'BROKER_HOST', 'DEMO_DIR'];
  const present = Object.fromEntries(
    names.flatMap((name) => (env[name] !== undefined && env[name] !== '' ? [[name, env[name]]] : [])),
  );
  const parsed = DemoEnv.safeParse(present);
  if (parsed.success) {
    return ok(parsed.data);
  }
  return err(parsed.error.issues.map((issue) => `${issue.path.map(String).join('.')}: ${issue.message}`));
}
