import { allTools } from '../tools/index.ts';
import { LabError } from '../errors.ts';

export interface SetupOptions {
  install: boolean;
  /** Tools whose absence makes the command fail (the rest are reported). */
  require: string[];
}

/**
 * Finds each external tool, installs the missing ones where it can, and
 * prints one line per tool: its version, or what is missing and how to get it.
 */
export async function setup(options: SetupOptions, print: (line: string) => void): Promise<void> {
  const tools = allTools();
  const unknown = options.require.filter((name) => !tools.some((tool) => tool.name === name));
  if (unknown.length > 0) {
    throw new LabError(
      'UNKNOWN_TOOL',
      `unknown tool(s) in --require: ${unknown.join(', ')}`,
      `known: ${tools.map((tool) => tool.name).join(', ')}`,
    );
  }
  const missing: string[] = [];
  for (const tool of tools) {
    let found = await tool.find();
    let reason: string | undefined;
    if (!found && options.install) {
      if (tool.installable !== false) print(`${tool.name.padEnd(17)} installing...`);
      reason = await tool.install();
      found = await tool.find();
    }
    if (found) {
      print(`${tool.name.padEnd(17)} ok       ${found.version}  [${found.path}]`);
      continue;
    }
    missing.push(tool.name);
    const why = reason ? `${reason}; ` : '';
    print(`${tool.name.padEnd(17)} MISSING  needed for ${tool.purpose}: ${why}${tool.howToGet}`);
  }
  const missingRequired = options.require.filter((name) => missing.includes(name));
  if (missingRequired.length > 0) {
    throw new LabError(
      'TOOLS_MISSING',
      `required tool(s) missing: ${missingRequired.join(', ')}`,
      'see the lines above for how to get them',
    );
  }
}
