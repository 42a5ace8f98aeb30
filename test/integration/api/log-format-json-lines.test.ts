// `--log-format json`: every line the daemon writes is one JSON object with pino's
// level, time and msg; a checker transition keeps keepalived's wording in msg and its
// reason as a field, and the text format carries the same message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort, poolConf, startHalb } from './harness.js';

test('--log-format json writes one JSON object per line with keepalived\'s wording and the reason', async () => {
  const vport = await freePort();
  const halb = await startHalb({ conf: poolConf(vport, [1]), args: ['--log-format', 'json'] });
  try {
    assert.ok(await halb.waitFor(/Disabling service/, 5000), halb.output());
    const lines = halb.output().split('\n').filter((l) => l !== '');
    const recs = lines.map((l) => JSON.parse(l) as { level: number; time: number; msg: string; pid: number; reason?: string; component?: string });
    for (const r of recs) {
      assert.equal(typeof r.level, 'number');
      assert.equal(typeof r.time, 'number');
      assert.equal(typeof r.msg, 'string');
      assert.equal(r.pid, halb.child.pid);
    }
    const disabling = recs.find((r) => r.msg.startsWith('Disabling service [127.0.0.1]:tcp:1 from VS'));
    assert.ok(disabling !== undefined, 'keepalived\'s wording for the transition');
    assert.match(disabling.reason ?? '', /TCP_CHECK on service \[127\.0\.0\.1\]:tcp:1 failed/, 'the reason rides as a field');
    assert.equal(disabling.component, 'check');
    assert.ok(recs.some((r) => /^Admin API on http:\/\/127\.0\.0\.1:\d+\//.test(r.msg)));
  } finally {
    await halb.stop();
  }
});
