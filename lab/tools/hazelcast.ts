import { access, constants, mkdir } from 'node:fs/promises';
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

/**
 * The `java` that runs Hazelcast members: from JAVA_HOME, else the first on
 * PATH, as an absolute path (the process supervisor matches it). `lab setup`
 * and the members both ask here, so they never disagree about which Java.
 */
export async function findJava(): Promise<string | undefined> {
  const fromHome = process.env.JAVA_HOME ? [path.join(process.env.JAVA_HOME, 'bin', 'java')] : [];
  const fromPath = (process.env.PATH ?? '')
    .split(path.delimiter)
    .filter((dir) => path.isAbsolute(dir))
    .map((dir) => path.join(dir, 'java'));
  for (const candidate of [...fromHome, ...fromPath]) {
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The Java found by findJava, with its version line; undefined when there is none or it does not run. */
async function javaVersion(): Promise<string | undefined> {
  const java = await findJava();
  return java === undefined ? undefined : firstLine(java, ['-version']);
}

/** The Hazelcast member jar from Maven Central, run with the machine's Java (see findJava). */
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
    const java = await javaVersion();
    if (!java) return undefined;
    return { path: HAZELCAST_JAR, version: `${HAZELCAST_VERSION} (with ${java})` };
  }

  async install(): Promise<string | undefined> {
    if (!(await javaVersion())) return 'java is not in JAVA_HOME or on PATH (Java 17+ needed)';
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
