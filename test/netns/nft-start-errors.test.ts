// The nft dataplane refuses to start with a typed error that says what is missing:
// PermissionError naming CAP_NET_ADMIN for an unprivileged user, NotSupportedError when
// the nft command is not installed. Run in child processes (one as `nobody`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { gate } from '../helpers/netns.js';

const INDEX = fileURLToPath(new URL('../../src/dataplane/nft/index.js', import.meta.url));

function start(opts: { uid?: number; path?: string }): { code?: string; needed?: string; message?: string } {
  const code = `import(${JSON.stringify(INDEX)}).then((m)=>m.createNftDataplane({requireDr:true,statsIntervalMs:0}))` +
    `.then((dp)=>{console.log(JSON.stringify({code:'started'}));return dp.close()})` +
    '.catch((e)=>console.log(JSON.stringify({code:e.code,needed:e.needed,message:e.message})))';
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], {
    encoding: 'utf8', timeout: 20_000,
    ...(opts.uid !== undefined ? { uid: opts.uid, gid: opts.uid } : {}),
    env: { ...process.env, ...(opts.path !== undefined ? { PATH: opts.path } : {}) },
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { code?: string; needed?: string; message?: string };
}

test('without CAP_NET_ADMIN the nft dataplane fails at start with PermissionError naming it', (t) => {
  if (!gate(t, 'nft start as nobody', ['nft'])) return;
  const r = start({ uid: 65534 });
  assert.equal(r.code, 'HALB_ERR_PERMISSION', JSON.stringify(r));
  assert.equal(r.needed, 'CAP_NET_ADMIN');
  assert.match(r.message!, /CAP_NET_ADMIN.*--dataplane proxy/);
});

test('without the nft command it fails at start with NotSupportedError', (t) => {
  if (!gate(t, 'nft start without nft', ['nft'])) return;
  const r = start({ path: '/nonexistent' });
  assert.equal(r.code, 'HALB_ERR_NOT_SUPPORTED', JSON.stringify(r));
  assert.match(r.message!, /needs the nft command/);
});
