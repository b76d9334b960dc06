import { CHAOS_ACTION_NAMES } from './chaos/index.ts';
import { commandUsage, parseCommandArgs, usageText, UsageError } from './commands/cli-options.ts';
import { labCommands, TARGET_NOTES } from './commands/index.ts';
import { ReportError } from '../report/errors.ts';
import { LabError } from './errors.ts';
import { builtInScenarios } from './run/scenario.ts';

const print = (line: string) => process.stdout.write(line + '\n');

async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  const commands = labCommands(await builtInScenarios());
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    print(usageText(commands, TARGET_NOTES));
    return;
  }
  const command = commands.find((candidate) => candidate.name === name);
  if (!command) {
    throw new LabError(
      'BAD_USAGE',
      `unknown command "${name}"`,
      `run \`lab help\`; chaos actions: ${CHAOS_ACTION_NAMES.join(', ')}`,
    );
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    print(commandUsage(command));
    return;
  }
  return command.run(parseCommandArgs(command, rest), print);
}

try {
  await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError) {
    process.stderr.write(`lab: ${error.message}\n${commandUsage(error.command)}\n`);
    process.exitCode = 2;
  } else if (error instanceof LabError || error instanceof ReportError) {
    // The lab's own errors and the report floor's (`lab report`, `lab compare`): one line each.
    process.stderr.write(`lab: ${error.toLine()}\n`);
    process.exitCode = 1;
  } else {
    process.stderr.write(
      `lab: unexpected error: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
    process.exitCode = 1;
  }
}
