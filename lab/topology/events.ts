import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';

/**
 * Appends one chaos or control event with its time to the state folder's
 * events.ndjson; `lab run` later collects these into its run folder.
 */
export async function recordEvent(stateDir: string, event: Record<string, unknown>): Promise<void> {
  await mkdir(stateDir, { recursive: true });
  const line = JSON.stringify({ at: new Date().toISOString(), ...event });
  await appendFile(path.join(stateDir, 'events.ndjson'), line + '\n');
}
