/**
 * The one catalogue of the lab's error codes: each stable code with what it
 * means. `LabError` takes only these, so a new code is added here first and a
 * misspelt one fails `tsc`. Scripts and tests match on the code, never on the
 * message. Codes marked "run folder" can be written into summary.json or
 * events.ndjson (docs/run-folder.md lists them); any code a chaos action or a
 * probe throws can too.
 */
export const LAB_ERRORS = {
  // Command line and options
  BAD_USAGE: 'a command was given too few or too many words (no target, no scenario, ...)',
  BAD_OPTION: 'an option or setting has a value out of range or of the wrong kind',
  BAD_PARAMETER: 'a chaos action was given a parameter it does not take, or a bad one',
  BAD_PROBE_OPTION: "a scenario's probe setting is out of range",
  BAD_ADDRESS: 'an address is not host:port',
  BAD_SCENARIO: 'a scenario file is not valid JSON or breaks the scenario schema',
  BAD_RUN_DIR: 'a run folder (for `lab report`/`lab compare`) is missing, unreadable or not a run',
  UNKNOWN_SCENARIO: 'no built-in scenario or scenario file by that name',
  UNKNOWN_STRATEGY: 'no session strategy by that name',
  UNKNOWN_VARIANT: 'the strategy has no variant by that name',
  UNKNOWN_ACTION: 'no chaos action by that name',
  UNKNOWN_FAULT: 'no network fault by that name',
  UNKNOWN_TARGET: 'no chaos target or network link matches the name given',
  UNKNOWN_NODE: 'the state file, or the balancer, knows no node by that id',
  UNKNOWN_TOOL: '`lab setup --require` names a tool the lab does not know',
  NOT_LOOPBACK: 'an address is not on loopback; the lab only talks to this machine',

  // Containers (the docker engine)
  DOCKER_MISSING: 'dockerd or the docker CLI is absent (`lab setup` installs Debian docker.io)',
  DOCKER_NOT_READY:
    "the lab's own dockerd did not start or answer on its socket (its log tail is in the hint)",
  DOCKER_FAILED: 'a docker or docker compose command failed (its output is in the message)',
  DOCKER_LEFTOVER: 'a mount dockerd left behind (its netns) could not be unmounted',
  BASE_IMAGE_MISSING: 'the debootstrap base image is absent (`lab setup` makes it)',
  IMAGE_INPUT_MISSING:
    'a file an image is built from is absent (the Hazelcast jar, toxiproxy-server)',
  CONTAINER_MISSING: 'a compose service has no container (not started, or removed)',
  ENGINE_NODES: 'the container engine runs exactly the nodes its compose file declares',
  ENGINE_MEMBER:
    'a container member is not running (no host pid) right after the engine started it',

  // Tools and the lab's state
  TOOL_MISSING: 'a program a service needs (redis-server, java, the Hazelcast jar, ...) is absent',
  TOOLS_MISSING: 'tools a command or scenario requires are absent (listed in the message)',
  CHROMIUM_MISSING: 'Chromium is not installed, so the browser cookie probe (C2) cannot run',
  STATE_CORRUPT: "the lab's state file is not valid JSON",
  NOT_UP: 'no topology is running',
  ALREADY_UP: 'a topology is already running',
  PORT_BUSY: 'the port asked for is in use',

  // Processes the lab supervises
  SPAWN_FAILED: 'a process could not be started at all',
  DIED: 'a process exited while starting',
  NOT_READY: 'a process did not become ready in time (its log tail is in the hint)',
  STILL_RUNNING: 'a restart was asked of a process that still runs',
  NOT_RUNNING: 'the process is not running (already stopped or killed)',
  WRONG_STATE:
    'a chaos action does not fit the state the process is in (e.g. resume a running one)',
  NOT_OURS: 'a recorded pid now belongs to another program; it is left alone',
  NOT_STARTED: 'the target is not part of the running strategy',
  NOT_APPLICABLE: 'the chaos action does not apply to that kind of target',
  INTERRUPTED: 'Ctrl-C or an abort ended the work',
  REDIS_UNREACHABLE: 'the redis-server the lab started does not answer on its port',
  REDIS_RUNNING: 'Redis already runs with another persistence mode than the one asked for',
  REDIS_NO_AUTH:
    'a Redis the lab would use serves clients without a password (every local user could forge sessions)',
  SECRET_FILE_MODE:
    'a secrets file (keys, passwords, tokens) is readable by others or owned by another user',

  // Balancer, strategy switch and load generator
  BALANCER_UNREACHABLE: "the balancer's admin API does not answer",
  BALANCER_REFUSED: "the balancer's admin API answered with an error",
  SWITCH_FAILED: 'some nodes refused a strategy switch',
  LOADGEN_FAILED: 'the load generator did not start, or ended without its totals',
  HAPROXY_RUNTIME: "HAProxy's runtime API (stats socket) did not answer or refused a command",
  HAPROXY_BAD_ANSWER:
    "HAProxy's runtime API answered `show servers state` in a form the lab does not read",
  GENERATOR_MISSING:
    'the load generator a run asked for is absent (--generator k6 and no k6 on PATH or in tools/bin)',

  // Network faults (toxiproxy)
  NO_LINKS: 'the topology has no network links to put a fault on',
  LINK_UNUSED: 'no node connects through that link under the current strategy',
  FAULT_ACTIVE: 'the link already carries a fault of that kind',
  FAULT_BYPASSED: 'the fault cannot hold: Hazelcast clients reconnect around the link',
  FAULT_NOT_REMOVED: 'a fault could not be removed from some links',
  TOXIPROXY_DOWN: 'toxiproxy-server is not running, so nodes behind its links are cut off',
  TOXIPROXY_UNREACHABLE: "toxiproxy's API does not answer",
  TOXIPROXY_CONFLICT: 'toxiproxy already has that toxic (HTTP 409)',
  TOXIPROXY_ERROR: "toxiproxy's API refused a request",

  // Claim probes (run folder: probeErrors[].code)
  PROBE_REQUEST_FAILED: 'a probe request got no HTTP answer',
  PROBE_UNEXPECTED_ANSWER: 'a probe request got an answer the claim cannot be measured from',
  PROBE_NO_STORE: "the probe could not read the store's figures (none recorded, or unreadable)",
  PROBE_NEEDS_TWO_NODES: 'replication lag needs two nodes that answer',
  PROBE_NOT_OBSERVED: 'the effect measured never showed within the bound, so no figure is given',
  PROBE_NOISY: 'the memory growth is below the noise of the reading',
  PROBE_UNMEASURABLE: 'the figure cannot be measured in this topology (e.g. no inspector)',
  PROBE_LOGINS_FAILED: "too many of the memory probe's logins failed",
  PROBE_ABORTED: 'the run was interrupted while the probe ran',
  PROBE_TIMEOUT: 'the probe did not finish within its time budget',
  PROBE_FAILED: 'the probe failed with an error that is not a LabError (message kept)',

  // Run folder: events[].error, events.ndjson
  UNEXPECTED: 'a chaos step failed with an error that is not a LabError (message kept)',
} as const satisfies Record<string, string>;

export type LabErrorCode = keyof typeof LAB_ERRORS;

/** Every code, in catalogue order. */
export const LAB_ERROR_CODES = Object.keys(LAB_ERRORS) as LabErrorCode[];
