import assert from 'node:assert/strict';
import { CHAOS_ACTION_NAMES } from '../../../../lab/chaos/index.ts';
import {
  commandUsage,
  parseCommandArgs,
  usageText,
  UsageError,
  type CommandSpec,
} from '../../../../lab/commands/cli-options.ts';
import { labCommands } from '../../../../lab/commands/index.ts';
import { LabError } from '../../../../lab/errors.ts';
import { builtInScenarios } from '../../../../lab/run/scenario.ts';
import { ALL_STRATEGIES } from '../../../../lab/strategy/choice.ts';

const commands = labCommands(['quick', 'failover']);

function command(name: string): CommandSpec {
  const found = commands.find((candidate) => candidate.name === name);
  assert.ok(found, `no command ${name}`);
  return found;
}

function refused(name: string, argv: string[], option: string): void {
  assert.throws(
    () => parseCommandArgs(command(name), argv),
    (error: unknown) =>
      error instanceof UsageError &&
      error.command.name === name &&
      error.message === `lab ${name} has no option ${option}` &&
      !error.message.includes('\n'),
  );
}

describe('lab CLI: the table of commands', () => {
  it('refuses, for every command, an option it does not take, naming it', () => {
    for (const { name } of commands) refused(name, ['x', '--no-such-option'], '--no-such-option');
  });

  it("refuses another command's option: lab down --rate, lab kill --for, lab status --strategy", () => {
    refused('down', ['--rate', '5'], '--rate');
    refused('kill', ['node-1', '--for', '5s'], '--for');
    refused('status', ['--strategy', 'redis'], '--strategy');
    refused('setup', ['--nodes', '2'], '--nodes');
  });

  it('takes each command’s own options, converted', () => {
    assert.deepEqual(parseCommandArgs(command('up'), ['--nodes', '2', '--port', '9000']).values, {
      nodes: 2,
      port: 9000,
    });
    assert.deepEqual(
      parseCommandArgs(command('setup'), ['--check', '--require', 'k6, hazelcast']).values,
      {
        check: true,
        require: ['k6', 'hazelcast'],
      },
    );
    const run = parseCommandArgs(command('run'), [
      'quick',
      '--strategies',
      'redis,jwt',
      '--rate',
      '2.5',
    ]);
    assert.deepEqual(run.positionals, ['quick']);
    assert.deepEqual(run.values, { rate: 2.5, strategies: ['redis', 'jwt'] });
  });

  it('reads durations as text everywhere: --duration 10s, --warmup 500ms, --for 5s; plain numbers are seconds', () => {
    const run = (...argv: string[]) => parseCommandArgs(command('run'), ['quick', ...argv]).values;
    assert.equal(run('--duration', '10s').duration, 10_000);
    assert.equal(run('--duration', '30').duration, 30_000);
    assert.equal(run('--duration', '2m').duration, 120_000);
    assert.equal(run('--warmup', '500ms').warmup, 500);
    assert.equal(run('--warmup', '2.5').warmup, 2500);
    assert.equal(run('--warmup', '0').warmup, 0);
    assert.equal(parseCommandArgs(command('pause'), ['node-1', '--for', '5s']).values.for, 5000);
    assert.equal(parseCommandArgs(command('pause'), ['node-1', '--for', '5']).values.for, 5000);
  });

  it('refuses a bad value with the option named (exit 1, not a usage error)', () => {
    const bad = (name: string, argv: string[], pattern: RegExp) =>
      assert.throws(
        () => parseCommandArgs(command(name), argv),
        (error: unknown) =>
          error instanceof LabError && error.code === 'BAD_OPTION' && pattern.test(error.message),
      );
    bad('run', ['quick', '--duration', '10x'], /--duration must be a duration/);
    bad('run', ['quick', '--duration', '0'], /--duration must be a duration/);
    bad('run', ['quick', '--rate', 'fast'], /--rate must be a number, got "fast"/);
    bad('up', ['--nodes', 'three'], /--nodes must be a number/);
    bad('up', ['--redis-persistence', 'sometimes'], /one of none, aof-everysec, aof-always/);
  });

  it('lists every command, chaos action, strategy and built-in scenario in the usage', async () => {
    const scenarios = await builtInScenarios();
    const text = usageText(labCommands(scenarios));
    const listed = text
      .split('\n')
      .map((line) => /^ {2}(\S+)/.exec(line)?.[1])
      .filter((name) => name !== undefined);
    for (const { name } of labCommands(scenarios)) assert.ok(listed.includes(name), name);
    for (const action of CHAOS_ACTION_NAMES) assert.ok(listed.includes(action), action);
    for (const scenario of scenarios) assert.match(text, new RegExp(`\\b${scenario}\\b`));
    for (const strategy of ALL_STRATEGIES) {
      const [name, variant] = strategy.split(':');
      assert.match(text, new RegExp(`\\b${name}\\b${variant ? `\\[:[a-z|]*${variant}` : ''}`));
    }
  });

  it("gives one command's usage with its own options and nothing else", () => {
    const usage = commandUsage(command('pause'));
    assert.match(usage, /^usage: lab pause TARGET \[--for D\]/);
    assert.match(usage, /--for D +resume after D/);
    assert.doesNotMatch(commandUsage(command('down')), /--/);
  });
});
