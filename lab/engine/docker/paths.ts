import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../../paths.ts';

/**
 * A unix socket path holds at most 107 bytes, and dockerd puts containerd's
 * socket deep under its exec root; a checkout in a long path gets the
 * daemon's folder in the temp folder instead (one per checkout).
 */
const LONGEST_SOCKET_SUFFIX = '/exec/containerd/containerd.sock.ttrpc';
const SOCKET_PATH_LIMIT = 107;

function daemonDir(): string {
  if (process.env.LAB_DOCKER_DIR) return process.env.LAB_DOCKER_DIR;
  const inCheckout = path.join(ROOT, '.lab', 'docker');
  if ((inCheckout + LONGEST_SOCKET_SUFFIX).length <= SOCKET_PATH_LIMIT) return inCheckout;
  const id = createHash('sha256').update(ROOT).digest('hex').slice(0, 12);
  return path.join(os.tmpdir(), `session-lab-docker-${id}`);
}

/**
 * Folder of the lab's own Docker daemon: data root (images), exec root,
 * socket, pid file and log. Git-ignored, shared by `lab` commands and tests
 * so images built once are reused; LAB_DOCKER_DIR moves it.
 */
export const DAEMON_DIR = daemonDir();
export const DAEMON_SOCKET = path.join(DAEMON_DIR, 'docker.sock');
export const DAEMON_PIDFILE = path.join(DAEMON_DIR, 'dockerd.pid');
export const DAEMON_LOG = path.join(DAEMON_DIR, 'dockerd.log');
export const DAEMON_DATA_ROOT = path.join(DAEMON_DIR, 'data');
export const DAEMON_EXEC_ROOT = path.join(DAEMON_DIR, 'exec');
