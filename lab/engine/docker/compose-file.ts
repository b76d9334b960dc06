import path from 'node:path';
import { ROOT } from '../../paths.ts';

/** The topology as containers, at the top of the repository. */
export const COMPOSE_FILE = path.join(ROOT, 'docker-compose.yml');

/**
 * `docker compose` with the lab's file, from the top folder (the build
 * context), with the given profiles (`*`: all, as `down` needs to stop
 * services of any profile) and, when given, a project name of its own.
 */
export function composeFileArgs(profiles: string[], project?: string): string[] {
  const args = ['compose', '--project-directory', ROOT, '-f', COMPOSE_FILE];
  if (project) args.push('-p', project);
  for (const profile of profiles) args.push('--profile', profile);
  return args;
}
