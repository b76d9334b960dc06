import { chmod, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { SecretFileError, writeSecretFile } from '../../nodes/secrets.ts';
import { LabError } from '../errors.ts';

// Where the lab keeps what the nodes must not get through their environment
// or command line: the admin token and each node's strategy configuration
// (cookie keys, jwt signing keys, the Redis password). A child's environment
// is copied into every process it starts and shows in /proc/PID/environ and
// crash reports; a file of mode 0600 in a folder of mode 0700 is read by its
// owner alone, and its mode is checked again by whoever reads it.

/** `<stateDir>/secrets`, created (or narrowed to) 0700. */
export async function secretsDir(stateDir: string): Promise<string> {
  const dir = path.join(stateDir, 'secrets');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // mkdir's mode only applies to a folder it creates.
  await chmod(dir, 0o700);
  return dir;
}

/** Writes `<stateDir>/secrets/<name>` with mode 0600 and returns its path. */
export async function writeLabSecret(
  stateDir: string,
  name: string,
  content: string,
): Promise<string> {
  const file = path.join(await secretsDir(stateDir), name);
  await writeSecretFile(file, content).catch(secretFileAsLabError);
  return file;
}

/** A SecretFileError as the lab's error (SECRET_FILE_MODE); anything else unchanged. */
export function secretFileAsLabError(error: unknown): never {
  if (error instanceof SecretFileError) {
    throw new LabError(
      'SECRET_FILE_MODE',
      error.message,
      'the lab writes its secrets files 0600 and refuses one another user owns; remove it and start again',
    );
  }
  throw error;
}
