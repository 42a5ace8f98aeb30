// The layering of STYLE.md, enforced by `npm run depcheck` (part of `npm test`):
//   core <- config <- {vrrp, check, dataplane(+sched)} <- daemon
//   native <- sys <- {vrrp/engine, dataplane/nft/apply, dataplane/ipvs/apply, daemon}
// vrrp, check and dataplane never import each other; nothing imports daemon;
// api and cli see only types, snapshots and the daemon's command interface.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    { name: 'core-is-leaf', severity: 'error', comment: 'core imports node built-ins only',
      from: { path: '^src/core/' }, to: { path: '^src/(?!core/)' } },
    { name: 'config-only-core', severity: 'error', comment: 'config is pure: core only',
      from: { path: '^src/config/' }, to: { path: '^src/(?!core/|config/)' } },
    { name: 'sched-only-core', severity: 'error', comment: 'schedulers are pure and shared',
      from: { path: '^src/dataplane/sched/' }, to: { path: '^src/(?!core/|dataplane/sched/)' } },
    { name: 'vrrp-not-peers', severity: 'error', comment: 'vrrp talks to check/dataplane only through daemon events',
      from: { path: '^src/vrrp/' }, to: { path: '^src/(check|dataplane|daemon|api|cli)/' } },
    { name: 'check-not-peers', severity: 'error',
      from: { path: '^src/check/' }, to: { path: '^src/(vrrp|dataplane|daemon|api|cli|sys)/' } },
    { name: 'dataplane-not-peers', severity: 'error',
      from: { path: '^src/dataplane/' }, to: { path: '^src/(vrrp|check|daemon|api|cli)/' } },
    { name: 'only-engine-touches-sys-in-vrrp', severity: 'error', comment: 'only vrrp/engine.ts may import sys/',
      from: { path: '^src/vrrp/', pathNot: '^src/vrrp/engine[.]ts$' }, to: { path: '^src/sys/' } },
    { name: 'only-apply-touches-sys-in-nft', severity: 'error', comment: 'in dataplane/ only nft/apply.ts and ipvs/apply.ts may import sys/',
      from: { path: '^src/dataplane/', pathNot: '^src/dataplane/(nft|ipvs)/apply[.]ts$' }, to: { path: '^src/sys/' } },
    { name: 'sys-only-core-native', severity: 'error', comment: 'sys may read pure config types/helpers, nothing above',
      from: { path: '^src/sys/' }, to: { path: '^src/(?!core/|sys/|config/)' } },
    { name: 'nothing-imports-daemon', severity: 'error',
      from: { path: '^src/(?!daemon/|cli/)' }, to: { path: '^src/daemon/' } },
    { name: 'api-no-engines', severity: 'error', comment: 'api reads snapshots through the daemon command interface',
      from: { path: '^src/api/' }, to: { path: '^src/(sys|daemon)/' } },
    { name: 'native-only-from-sys', severity: 'error',
      from: { path: '^src/(?!sys/)' }, to: { path: '^native/' } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js'] },
    moduleSystems: ['es6', 'cjs'],
  },
};
