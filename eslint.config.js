// Type-aware linting: floating promises and misused promises are bugs in a
// process supervisor and a proxy, so they fail the test command.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// Floors: each top-level folder may import only the folders listed for it
// (docs/architecture.md, "Floors"). Top to bottom, a total order:
//   bench/, test/, bin/  ->  lab/  ->  report/  ->  k6/  ->  loadgen/  ->  nodes/  ->  balancer/  ->  store/  ->  common/
// Every folder's list holds only folders below it (one below it is left
// out: report/ may not read loadgen/), so an import chain only ever goes
// down and no cycle between folders can exist: a cycle would need an edge
// up, and every edge up is one of the errors below. bench/, test/ and bin/
// sit on top and may import anything; nothing imports them.
// The check reads the import's text: a relative path whose `../` climbs into
// another floor (`../../lab/errors.ts`). No floor reuses a floor's name for
// one of its own subfolders, so such a path always means that floor.
const FLOORS = [
  {
    floor: 'lab',
    mayImport: ['report', 'k6', 'loadgen', 'nodes', 'balancer', 'store', 'common'],
    why: 'the orchestrator and CLI: it drives the floors below and is driven only by the benches and tests',
  },
  {
    floor: 'report',
    mayImport: ['nodes', 'balancer', 'store', 'common'],
    why: 'it owns the run-folder schema and reads run folders: it knows nothing of the lab that writes them or the load generator that counted them (their shapes meet in the schema)',
  },
  {
    floor: 'k6',
    mayImport: ['loadgen', 'common'],
    why: "k6 scripts run inside k6, not Node: they share only the generator's plain-TypeScript journeys (loadgen/core) and the route names",
  },
  {
    floor: 'loadgen',
    mayImport: ['nodes', 'balancer', 'store', 'common'],
    why: 'it is a separate process that speaks HTTP to the balancer and writes its own output',
  },
  {
    floor: 'nodes',
    mayImport: ['store', 'common'],
    why: 'a node serves requests with a session store; it knows nothing of who starts it',
  },
  {
    floor: 'balancer',
    mayImport: ['store', 'common'],
    why: 'the balancer is a process of its own; it knows nothing of the nodes behind it or who starts it',
  },
  {
    floor: 'store',
    mayImport: ['common'],
    why: 'the session stores are the bottom of the product: nodes use them',
  },
  {
    floor: 'common',
    mayImport: [],
    why: 'it holds the primitives every floor shares, so it may import none of them',
  },
];
const TOP = ['bench', 'test', 'bin'];
const ALL = [...TOP, ...FLOORS.map(({ floor }) => floor)];

const allowed = (names) =>
  names.length > 0 ? names.map((name) => `${name}/`).join(', ') : 'nothing of the project';

/** One files-scoped block per floor: a relative import that climbs into a floor not on its list fails. */
const floorRules = FLOORS.map(({ floor, mayImport, why }) => ({
  files: [`${floor}/**/*.{ts,js}`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: ALL.filter((other) => other !== floor && !mayImport.includes(other)).map(
          (other) => ({
            regex: `^(\\.\\./)+${other}(/|$)`,
            message:
              `${floor}/ may not import ${other}/ (floors only point down; ${floor}/ may import ${allowed(mayImport)}). ` +
              (TOP.includes(other)
                ? `${other}/ sits on top: the product never imports it.`
                : `Why: ${why}. Move what both need to a floor below both (common/ is the bottom).`),
          }),
        ),
      },
    ],
  },
}));

export default tseslint.config(
  { ignores: ['node_modules/', 'tools/', '.lab/', 'runs/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: globals.node,
    },
  },
  ...floorRules,
);
