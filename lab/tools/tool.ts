/** Where a found tool lives and what it says its version is. */
export interface FoundTool {
  path: string;
  version: string;
}

/**
 * An external program the lab runs. `find` never installs; `install` fetches
 * a pinned version (or explains why it cannot) and is safe to call again.
 */
export interface Tool {
  readonly name: string;
  /** What the lab uses it for, shown by `lab setup`. */
  readonly purpose: string;
  find(): Promise<FoundTool | undefined>;
  /** Installs the tool; resolves with undefined on success or a reason it could not. */
  install(): Promise<string | undefined>;
  /** False when `install` can only explain why it cannot (the tool must be brought by hand). */
  readonly installable?: boolean;
  /** One line telling a person how to get the tool on a common OS. */
  readonly howToGet: string;
}
