import { createHash, timingSafeEqual } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';

/**
 * Compares a client-sent secret with the configured one in constant time.
 * Hashing first gives both sides the same length, so neither the content
 * nor the length of the configured secret leaks through timing.
 */
export function secretMatches(candidate: string, expected: string): boolean {
  return timingSafeEqual(sha256(candidate), sha256(expected));
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * A secrets file that is not private to its owner, or cannot be read as
 * one. `code`: SECRET_FILE_MODE (group or others may read or write it, or
 * another user owns it), SECRET_FILE_UNREADABLE (missing, a symlink, not a file).
 */
export class SecretFileError extends Error {
  readonly code: 'SECRET_FILE_MODE' | 'SECRET_FILE_UNREADABLE';

  constructor(code: SecretFileError['code'], message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SecretFileError';
    this.code = code;
  }
}

// O_NOFOLLOW: a symlink planted where the file should be is refused, not followed.
const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW;
const WRITE_FLAGS =
  constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW;

/**
 * Reads a secrets file, refusing one that anyone but its owner (this user)
 * could read or write: mode wider than 0600, or another owner. Refused, not
 * fixed: what it holds may already have been read, so it must be replaced.
 * Synchronous: nodes read their secrets once, at start-up, before serving.
 */
export function readSecretFile(file: string): string {
  let fd: number;
  try {
    fd = openSync(file, READ_FLAGS);
  } catch (error) {
    throw new SecretFileError(
      'SECRET_FILE_UNREADABLE',
      `secrets file ${file} cannot be opened (${(error as NodeJS.ErrnoException).code ?? 'error'}); it must be a regular file, not a symlink`,
      { cause: error },
    );
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) {
      throw new SecretFileError('SECRET_FILE_UNREADABLE', `secrets file ${file} is not a file`);
    }
    checkPrivate(
      file,
      stats.mode,
      stats.uid,
      `refused; replace the secret in it (it may have been read) and \`chmod 600 ${file}\``,
    );
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes `content` to a secrets file readable by its owner alone: created
 * 0600; an existing file with a wider mode is narrowed to 0600 before the
 * new content goes in (the old content is gone with the truncation). A file
 * another user owns is refused: its owner could read what is written.
 */
export async function writeSecretFile(file: string, content: string): Promise<void> {
  const handle = await open(file, WRITE_FLAGS, 0o600).catch((error: unknown) => {
    throw new SecretFileError(
      'SECRET_FILE_UNREADABLE',
      `secrets file ${file} cannot be written (${(error as NodeJS.ErrnoException).code ?? 'error'}); it must be a regular file, not a symlink`,
      { cause: error },
    );
  });
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) {
      throw new SecretFileError('SECRET_FILE_UNREADABLE', `secrets file ${file} is not a file`);
    }
    checkPrivate(file, 0o600, stats.uid, 'not written');
    if ((stats.mode & 0o777) !== 0o600) await handle.chmod(0o600);
    await handle.writeFile(content, 'utf8');
  } finally {
    await handle.close();
  }
}

function checkPrivate(file: string, mode: number, uid: number, outcome: string): void {
  const owner = process.getuid?.();
  if (owner !== undefined && uid !== owner) {
    throw new SecretFileError(
      'SECRET_FILE_MODE',
      `secrets file ${file} belongs to user ${uid}, not to this user (${owner}): ${outcome}`,
    );
  }
  if ((mode & 0o077) !== 0) {
    const octal = (mode & 0o777).toString(8).padStart(4, '0');
    throw new SecretFileError(
      'SECRET_FILE_MODE',
      `secrets file ${file} has mode ${octal}: group or others can read or change it, so it is ${outcome}`,
    );
  }
}
