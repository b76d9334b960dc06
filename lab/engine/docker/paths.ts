import path from 'node:path';
import { ROOT } from '../../paths.ts';

/**
 * Folder of the lab's own Docker daemon: data root (images, build cache),
 * exec root, socket, pid file and log. Git-ignored, shared by `lab` commands
 * and tests so images built once are reused; LAB_DOCKER_DIR moves it.
 */
export const DAEMON_DIR = process.env.LAB_DOCKER_DIR ?? path.join(ROOT, '.lab', 'docker');
export const DAEMON_SOCKET = path.join(DAEMON_DIR, 'docker.sock');
export const DAEMON_PIDFILE = path.join(DAEMON_DIR, 'dockerd.pid');
export const DAEMON_LOG = path.join(DAEMON_DIR, 'dockerd.log');
export const DAEMON_DATA_ROOT = path.join(DAEMON_DIR, 'data');
export const DAEMON_EXEC_ROOT = path.join(DAEMON_DIR, 'exec');
