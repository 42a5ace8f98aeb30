// The layering of STYLE.md, enforced by `npm run depcheck` (part of `npm test`):
//   core <- config <- {vrrp, check, dataplane(+sched), bgp} <- daemon
//   native <- sys <- {vrrp/engine, dataplane/nft/apply, dataplane/ipvs/apply, dataplane/proxy/{cluster,worker-main} (shm only), daemon}
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
    { name: 'bgp-not-peers', severity: 'error', comment: 'bgp (announcement policy, BIRD driver) sees config and core; the daemon feeds it events',
      from: { path: '^src/bgp/' }, to: { path: '^src/(vrrp|check|dataplane|daemon|api|cli|sys)/' } },
    { name: 'dataplane-not-peers', severity: 'error',
      from: { path: '^src/dataplane/' }, to: { path: '^src/(vrrp|check|daemon|api|cli)/' } },
    { name: 'only-engine-touches-sys-in-vrrp', severity: 'error', comment: 'only vrrp/engine.ts may import sys/',
      from: { path: '^src/vrrp/', pathNot: '^src/vrrp/engine[.]ts$' }, to: { path: '^src/sys/' } },
    { name: 'only-apply-touches-sys-in-nft', severity: 'error', comment: 'in dataplane/ only nft/apply.ts, ipvs/apply.ts and the proxy process shells may import sys/',
      from: { path: '^src/dataplane/', pathNot: '^src/dataplane/((nft|ipvs)/apply|proxy/cluster|proxy/worker-main)[.]ts$' }, to: { path: '^src/sys/' } },
    { name: 'proxy-shells-only-shm', severity: 'error', comment: 'the proxy process shells map the shared scheduling segment, nothing else from sys',
      from: { path: '^src/dataplane/proxy/(cluster|worker-main)[.]ts$' }, to: { path: '^src/sys/(?!shm[.]ts$)' } },
    { name: 'sys-only-core-native', severity: 'error', comment: 'sys may read pure config types/helpers, nothing above',
      from: { path: '^src/sys/' }, to: { path: '^src/(?!core/|sys/|config/)' } },
    { name: 'lab-not-cli', severity: 'error', comment: 'the lab shares the control client and ipvsadm layouts through api/, not the CLI',
      from: { path: '^src/lab/' }, to: { path: '^src/cli/' } },
    { name: 'notify-not-peers', severity: 'error', comment: 'notify scripts and alerts run through ports the daemon hands in',
      from: { path: '^src/notify/' }, to: { path: '^src/(vrrp|dataplane|daemon|api|cli|sys)/' } },
    { name: 'only-daemon-feeds-notify', severity: 'error', comment: 'VRRP and checker events reach notify through the daemon',
      from: { path: '^src/(?!notify/|daemon/)' }, to: { path: '^src/notify/' } },
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
