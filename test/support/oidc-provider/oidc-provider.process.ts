import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const SERVER_SCRIPT = join(__dirname, 'oidc-provider.server.mjs');
const START_DEADLINE_MS = 20_000;

/** One authorization the provider finished and the token response that followed it, as the provider saw them. */
export interface OidcExchange {
  /** The authorization request's parameters. */
  authorize: URLSearchParams;
  /** The token request's parameters. */
  token: URLSearchParams;
  /** The access token the provider issued. */
  accessToken: string;
}

export interface OidcProviderOptions {
  /** The public client the web app signs in as. */
  clientId: string;
  /** The broker's audience: the resource indicator every access token is issued for. */
  audience: string;
  /** The one account (`sub`). */
  user: string;
  /** Its roles, at `realm_access.roles` in the access token. */
  roles: string[];
}

/**
 * `oidc-provider` running in a child process (test/support/oidc-provider/oidc-provider.server.mjs; the provider is
 * ESM-only, the suites run as CommonJS). Start it, configure the broker with its `issuer`, then `allowRedirects` with
 * the web app's callback URL once the broker listens.
 */
export class OidcProviderProcess {
  private readonly authorizations: URLSearchParams[] = [];
  private readonly tokens: { params: URLSearchParams; accessToken: string }[] = [];
  private readonly waiters = new Set<() => void>();

  private constructor(
    private readonly child: ChildProcess,
    readonly issuer: string,
    private readonly output: string[],
  ) {}

  /** Finished sign-ins in order: the n-th token response with the n-th finished authorization. */
  get exchanges(): OidcExchange[] {
    return this.tokens.map((token, index) => ({
      authorize: this.authorizations[index] ?? new URLSearchParams(),
      token: token.params,
      accessToken: token.accessToken,
    }));
  }

  /** Starts the provider and resolves when it listens (it answers 503 until `allowRedirects`). */
  static async start(options: OidcProviderOptions): Promise<OidcProviderProcess> {
    const child = spawn(process.execPath, [SERVER_SCRIPT], {
      env: {
        PATH: process.env.PATH,
        OP_CLIENT_ID: options.clientId,
        OP_AUDIENCE: options.audience,
        OP_ACCOUNT: options.user,
        OP_ROLES: options.roles.join(','),
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    let provider: OidcProviderProcess | null = null;
    const listening = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`oidc-provider did not listen:\n${output.join('\n')}`)),
        START_DEADLINE_MS,
      );
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`oidc-provider exited (${code ?? signal}):\n${output.join('\n')}`));
      });
      for (const stream of [child.stdout, child.stderr]) {
        createInterface({ input: stream }).on('line', (line) => {
          output.push(line);
          const match = /^LISTENING (\S+)$/.exec(line);
          if (match !== null) {
            clearTimeout(timer);
            resolve(match[1]);
          }
          provider?.read(line);
        });
      }
    });
    try {
      provider = new OidcProviderProcess(child, await listening, output);
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    }
    return provider;
  }

  /** Registers the client's redirect URIs and resolves when the provider serves. */
  async allowRedirects(redirectUris: string[]): Promise<void> {
    this.child.stdin?.write(`${JSON.stringify(redirectUris)}\n`);
    await this.waitFor(() => this.output.some((line) => line.startsWith('READY ')), 'READY');
  }

  /** Everything the provider printed, for failure messages. */
  log(): string {
    return this.output.join('\n');
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) {
      return;
    }
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }

  private read(line: string): void {
    const event = /^(AUTHORIZED|TOKEN) (.*)$/.exec(line);
    if (event?.[1] === 'AUTHORIZED') {
      this.authorizations.push(toParams(JSON.parse(event[2]) as Record<string, unknown>));
    } else if (event?.[1] === 'TOKEN') {
      const { params, accessToken } = JSON.parse(event[2]) as { params: Record<string, unknown>; accessToken: string };
      this.tokens.push({ params: toParams(params), accessToken });
    }
    for (const wake of this.waiters) {
      wake();
    }
  }

  private waitFor(done: () => boolean, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (done()) {
          cleanup();
          resolve();
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`oidc-provider printed no ${what} line:\n${this.log()}`));
      }, START_DEADLINE_MS);
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }
}

/** The provider's parameter object (absent parameters dropped by JSON) as URLSearchParams. */
function toParams(params: Record<string, unknown>): URLSearchParams {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (typeof value === 'string') {
      search.set(name, value);
    }
  }
  return search;
}
