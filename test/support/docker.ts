// Tests that need a Docker engine: in CI the engine must be there (never a silent skip); on a
// developer's machine without one they skip with the reason.
import { existsSync } from 'node:fs';

/** Path of the Docker socket the tests use. */
export const dockerSocket = process.env.DOCKER_SOCKET ?? '/var/run/docker.sock';

/** Skip option for node:test; throws in CI when no engine is reachable. */
export function dockerSkip(): string | false {
  if (existsSync(dockerSocket)) return false;
  if (process.env.CI === 'true') throw new Error(`Docker engine required in CI but ${dockerSocket} is missing`);
  return `no Docker engine at ${dockerSocket} (run scripts/setup-docker.sh)`;
}
