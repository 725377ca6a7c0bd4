export interface ConfigIssue {
  /** The setting's path in `AppConfig` and `config/*.json`, e.g. `server.port`. */
  readonly path: string;
  /** Its environment variable, e.g. `PORT`. */
  readonly env: string | null;
  readonly message: string;
}

const describe = ({ path, env, message }: ConfigIssue): string =>
  `${path}${env === null ? '' : ` (${env})`}: ${message}`;

/**
 * A setting is missing or wrong; the service must not start. The message names every bad
 * setting at once: `Invalid configuration: server.port (PORT): expected an integer from 1 to
 * 65535, got "abc"; ...`. It never repeats a secret.
 */
export class ConfigError extends Error {
  readonly issues: readonly ConfigIssue[];

  constructor(problem: string | readonly ConfigIssue[]) {
    super(
      typeof problem === 'string'
        ? problem
        : `Invalid configuration: ${problem.map(describe).join('; ')}`,
    );
    this.name = 'ConfigError';
    this.issues = typeof problem === 'string' ? [] : problem;
  }
}
