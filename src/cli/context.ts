import { ConfigError, loadConfig, type Config } from '../platform/config/config.js';
import { AppError, ValidationError } from '../platform/errors.js';
import { CliError, EXIT_FAILURE, EXIT_USAGE } from './errors.js';
import { openServices, type CliServices } from './services.js';

/** The configuration from the environment (and TESSERA_CONFIG_FILE); a bad value is exit 2. */
export function configOrExit(): Config {
  try {
    return loadConfig(process.env);
  } catch (e) {
    if (e instanceof ConfigError) throw new CliError(e.message, EXIT_USAGE);
    throw e;
  }
}

/** Runs one command against the services, always closing them; domain errors become exit codes. */
export async function withServices<T>(fn: (s: CliServices) => Promise<T>): Promise<T> {
  const services = await openServices(configOrExit());
  try {
    return await fn(services);
  } catch (e) {
    if (e instanceof ValidationError) throw new CliError(e.message, EXIT_USAGE);
    if (e instanceof AppError) throw new CliError(e.message, EXIT_FAILURE);
    throw e;
  } finally {
    await services.close();
  }
}
