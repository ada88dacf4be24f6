import type { Config } from '../../../platform/config/config.js';
import type { FullIdentityService } from '../service.js';

export interface RouteDeps {
  service: FullIdentityService;
  config: Config;
}
