/** A bad setting (flag, environment variable or config file): the CLI prints it as one line and exits 2. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
