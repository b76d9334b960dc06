import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The checkout's root folder. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Git-ignored folder where `lab setup` installs tools it cannot get from the OS. */
export const TOOLS_DIR = path.join(ROOT, 'tools');
export const TOOLS_BIN = path.join(TOOLS_DIR, 'bin');
/** Git-ignored folder holding the state and logs of `lab up`. */
export const STATE_DIR = process.env.LAB_STATE_DIR ?? path.join(ROOT, '.lab');
export const STATE_FILE = path.join(STATE_DIR, 'state.json');
export const LOG_DIR = path.join(STATE_DIR, 'logs');
/** Node 24 from node_modules: the lab runs its children with the same runtime as itself. */
export const NODE_BIN = process.execPath;
/** Where `lab run` writes its run folders unless told otherwise (git-ignored). */
export const RUNS_DIR = process.env.LAB_RUNS_DIR ?? path.join(ROOT, 'runs');
