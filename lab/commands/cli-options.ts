// How one command of the `lab` CLI declares its options, and how its
// arguments are read against that declaration: each command accepts its
// own options and no other (`lab down --rate 5` is refused), and every
// value is checked and converted here, once.
import { parseArgs } from 'node:util';
import { parseDuration } from '../duration.ts';
import { LabError } from '../errors.ts';

/**
 * What an option's value is: `flag` takes none; `text` as given; `count` a
 * whole number; `number` a decimal; `duration` text such as 10 (seconds),
 * 500ms, 1m, read as milliseconds; `list` comma-separated; `choice` one of
 * `choices`.
 */
export type OptionType = 'flag' | 'text' | 'count' | 'number' | 'duration' | 'list' | 'choice';

export interface OptionSpec {
  /** Without the dashes: `duration` is `--duration`. */
  name: string;
  type: OptionType;
  /** What the value stands for in the usage text: `N`, `DIR`, `D`. */
  value?: string;
  help: string;
  /** `choice` only. */
  choices?: readonly string[];
  /** `duration` only: 0 is allowed (a warm-up of none). */
  allowZero?: boolean;
}

/** An option's value after conversion; durations in milliseconds. */
export type OptionValue = string | number | boolean | string[];

export interface ParsedArgs {
  /** The words after the command, as given. */
  argv: string[];
  positionals: string[];
  values: Record<string, OptionValue | undefined>;
}

export interface CommandSpec {
  /** The command word: `run`, `kill`. */
  name: string;
  /** Its positional arguments as the usage shows them: `SCENARIO`, `RUN_A RUN_B`. */
  args: string;
  /** One line or a few: what it does. */
  summary: string;
  options: readonly OptionSpec[];
  /**
   * Its lines in the usage text, when one synopsis cannot say it (`lab net`
   * has sub-actions); otherwise generated from `args` and `options`.
   */
  usage?: string;
  run(args: ParsedArgs, print: (line: string) => void): Promise<void>;
}

/** Arguments a command does not take: exit status 2 and that command's usage. */
export class UsageError extends Error {
  readonly command: CommandSpec;

  constructor(command: CommandSpec, message: string) {
    super(message);
    this.name = 'UsageError';
    this.command = command;
  }
}

function convert(option: OptionSpec, text: string): OptionValue {
  const bad = (what: string) =>
    new LabError('BAD_OPTION', `--${option.name} must be ${what}, got "${text}"`);
  switch (option.type) {
    case 'flag':
    case 'text':
      return text;
    case 'count':
      if (!/^\d+$/.test(text)) throw bad('a number');
      return Number(text);
    case 'number':
      if (!/^\d+(\.\d+)?$/.test(text)) throw bad('a number');
      return Number(text);
    case 'duration':
      if (option.allowZero && /^0+(\.0+)?(ms|s|m)?$/.test(text.trim())) return 0;
      return parseDuration(text, option.name);
    case 'list':
      return text
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean);
    case 'choice':
      if (!option.choices?.includes(text)) throw bad(`one of ${option.choices?.join(', ')}`);
      return text;
  }
}

/** Reads `argv` (the words after the command) against the command's own options. */
export function parseCommandArgs(command: CommandSpec, argv: string[]): ParsedArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: Object.fromEntries(
        command.options.map((option) => [
          option.name,
          { type: option.type === 'flag' ? ('boolean' as const) : ('string' as const) },
        ]),
      ),
    });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
      throw new UsageError(command, describeParseError(command, error as Error));
    }
    throw error;
  }
  const values: ParsedArgs['values'] = {};
  for (const option of command.options) {
    const raw = parsed.values[option.name];
    if (raw === undefined) continue;
    values[option.name] = typeof raw === 'string' ? convert(option, raw) : raw;
  }
  return { argv, positionals: parsed.positionals, values };
}

/** One line: which option, for which command. */
function describeParseError(command: CommandSpec, error: Error): string {
  const unknown = /Unknown option '([^']+)'/.exec(error.message);
  if (unknown) return `lab ${command.name} has no option ${unknown[1]}`;
  const missing = /Option '(?:-\w, )?([^ ']+)[^']*' argument missing/.exec(error.message);
  if (missing) return `${missing[1]} needs a value`;
  return error.message.split('\n')[0] ?? error.message;
}

function optionText(option: OptionSpec): string {
  if (option.type === 'flag') return `--${option.name}`;
  const value = option.type === 'choice' ? option.choices?.join('|') : option.value;
  return `--${option.name} ${value ?? 'X'}`;
}

const COLUMN = 35;

function aligned(left: string, right: string): string[] {
  const lines = right.split('\n');
  if (left.length < COLUMN - 1) {
    const [first = '', ...rest] = lines;
    return [left.padEnd(COLUMN) + first, ...rest.map((line) => ' '.repeat(COLUMN) + line)];
  }
  return [left, ...lines.map((line) => ' '.repeat(COLUMN) + line)];
}

/** `run SCENARIO [--rate R] [--duration D] ...`: the command's line in a usage text. */
export function synopsis(command: CommandSpec): string {
  const options = command.options.map((option) => `[${optionText(option)}]`);
  return [command.name, command.args, ...options].filter(Boolean).join(' ');
}

/** The whole usage: one entry per command, from the table, then `notes` (what TARGET means...). */
export function usageText(commands: readonly CommandSpec[], notes: readonly string[] = []): string {
  const lines = ['usage: lab <command> [options]', ''];
  for (const command of commands) {
    if (command.usage) lines.push(command.usage);
    else lines.push(...aligned(`  ${synopsis(command)}`, command.summary));
  }
  if (notes.length > 0) lines.push('', ...notes.map((note) => `  ${note}`));
  return lines.join('\n');
}

/** One command's usage: its synopsis, what it does, and each option's help. */
export function commandUsage(command: CommandSpec): string {
  const options = command.options.flatMap((option) =>
    aligned(`  ${optionText(option)}`, option.help),
  );
  if (command.usage) return ['usage: lab', command.usage, ...options].join('\n');
  const summary = command.summary.split('\n').map((line) => `  ${line}`);
  const lines = [`usage: lab ${synopsis(command)}`, ...summary];
  return [...lines, ...options].join('\n');
}
