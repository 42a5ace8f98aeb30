// Lint rules. The pure folders (codecs, state machines, schedulers, config) may not
// read the clock or arm timers: time comes from an injected Clock (src/core/clock.ts).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const timeGlobals = [
  { name: 'setTimeout', message: 'Pure module: take a Clock (src/core/clock.ts) and return deadlines as data.' },
  { name: 'setInterval', message: 'Pure module: take a Clock (src/core/clock.ts).' },
  { name: 'setImmediate', message: 'Pure module: no scheduling here.' },
  { name: 'Date', message: 'Pure module: take time from the injected Clock.' },
  { name: 'performance', message: 'Pure module: take time from the injected Clock.' },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'native/build/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-empty': ['error', { allowEmptyCatch: false }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  {
    files: [
      'src/vrrp/packet.ts', 'src/vrrp/advert-check.ts', 'src/vrrp/checksum.ts', 'src/vrrp/drop-reason.ts',
      'src/vrrp/garp.ts', 'src/vrrp/constants.ts', 'src/vrrp/instance-fsm.ts', 'src/vrrp/fsm-*.ts',
      'src/vrrp/track-script.ts', 'src/vrrp/addr-order.ts',
      'src/vrrp/sync-group.ts', 'src/vrrp/timers.ts', 'src/vrrp/priority.ts',
      'src/dataplane/sched/**/*.ts', 'src/config/**/*.ts', 'src/check/runner.ts',
    ],
    rules: { 'no-restricted-globals': ['error', ...timeGlobals] },
  },
  {
    files: ['**/*.mjs', '**/*.js', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
