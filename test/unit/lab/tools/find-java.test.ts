import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { findJava } from '../../../../lab/tools/hazelcast.ts';

describe('findJava (the one Java for lab setup and the Hazelcast members)', () => {
  let root: string;
  const saved = { JAVA_HOME: process.env.JAVA_HOME, PATH: process.env.PATH };

  async function fakeJava(dir: string, executable = true): Promise<string> {
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, 'java');
    await writeFile(file, '#!/bin/sh\necho fake\n');
    await chmod(file, executable ? 0o755 : 0o644);
    return file;
  }

  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'find-java-'));
  });

  afterEach(async () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await rm(root, { recursive: true, force: true });
  });

  it('prefers JAVA_HOME/bin/java over the java on PATH', async () => {
    const home = await fakeJava(path.join(root, 'home', 'bin'));
    await fakeJava(path.join(root, 'path'));
    process.env.JAVA_HOME = path.join(root, 'home');
    process.env.PATH = path.join(root, 'path');
    assert.equal(await findJava(), home);
  });

  it('takes the first executable java on PATH, skipping relative and non-executable entries', async () => {
    delete process.env.JAVA_HOME;
    await fakeJava(path.join(root, 'a'), false);
    const second = await fakeJava(path.join(root, 'b'));
    process.env.PATH = ['relative/bin', path.join(root, 'a'), path.join(root, 'b')].join(
      path.delimiter,
    );
    assert.equal(await findJava(), second);
  });

  it('finds nothing when neither JAVA_HOME nor PATH has one', async () => {
    process.env.JAVA_HOME = path.join(root, 'nowhere');
    process.env.PATH = path.join(root, 'empty');
    assert.equal(await findJava(), undefined);
  });
});
