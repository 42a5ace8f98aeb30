// `--dataplane auto`: ipvs where the kernel has it, nft as root otherwise, proxy without
// root; an explicit `ipvs` on a kernel without IPVS is refused with the reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideDataplane } from '../../../src/cli/dataplane-choice.js';

test('auto picks by what the host has, and says why', () => {
  assert.equal(decideDataplane('auto', { netAdmin: false }).engine, 'proxy');
  assert.match(decideDataplane('auto', { netAdmin: false }).reason, /not root/);
  assert.deepEqual(decideDataplane('auto', { netAdmin: true }), { engine: 'ipvs', reason: 'auto: the kernel has IPVS' });
  const nft = decideDataplane('auto', { netAdmin: true, ipvs: 'this kernel has no IPVS' });
  assert.equal(nft.engine, 'nft');
  assert.match(nft.reason, /no IPVS: this kernel has no IPVS; nftables works/);
  assert.equal(decideDataplane('auto', { netAdmin: true, ipvs: 'no', nft: 'nft not installed' }).engine, 'proxy');
});

test('an engine named explicitly is taken; ipvs without IPVS fails with the reason', () => {
  assert.equal(decideDataplane('proxy', { netAdmin: true }).engine, 'proxy');
  assert.equal(decideDataplane('nft', { netAdmin: true, ipvs: 'no' }).engine, 'nft');
  assert.throws(() => decideDataplane('ipvs', { netAdmin: true, ipvs: 'this kernel has no IPVS (no ip_vs module)' }),
    /--dataplane ipvs: this kernel has no IPVS \(no ip_vs module\); use --dataplane nft/);
});
