import { access, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { TOOLS_DIR } from '../paths.ts';
import { firstLine, run } from './exec.ts';
import type { FoundTool, Tool } from './tool.ts';

/** Pinned: Community Edition, Java 17 minimum. */
export const HAZELCAST_VERSION = '5.6.0';
export const HAZELCAST_JAR = path.join(
  TOOLS_DIR,
  'hazelcast',
  `hazelcast-${HAZELCAST_VERSION}.jar`,
);

/** The Hazelcast member jar from Maven Central, run with the machine's Java. */
export class HazelcastTool implements Tool {
  readonly name = 'hazelcast';
  readonly purpose = 'members of the clustered strategy';
  readonly howToGet = `install Java 17+ and Maven, then: mvn dependency:copy -Dartifact=com.hazelcast:hazelcast:${HAZELCAST_VERSION} -DoutputDirectory=${path.dirname(HAZELCAST_JAR)}`;

  async find(): Promise<FoundTool | undefined> {
    try {
      await access(HAZELCAST_JAR);
    } catch {
      return undefined;
    }
    const java = await firstLine('java', ['-version']);
    if (!java) return undefined;
    return { path: HAZELCAST_JAR, version: `${HAZELCAST_VERSION} (with ${java})` };
  }

  async install(): Promise<string | undefined> {
    if (!(await firstLine('java', ['-version']))) return 'java is not on PATH (Java 17+ needed)';
    await mkdir(path.dirname(HAZELCAST_JAR), { recursive: true });
    const result = await run(
      'mvn',
      [
        '-q',
        '-B',
        'dependency:copy',
        `-Dartifact=com.hazelcast:hazelcast:${HAZELCAST_VERSION}`,
        `-DoutputDirectory=${path.dirname(HAZELCAST_JAR)}`,
      ],
      { timeoutMs: 600000, cwd: TOOLS_DIR },
    );
    if (!result.ok) return `mvn failed: ${result.output.split('\n').slice(-3).join(' ')}`;
    return undefined;
  }
}
