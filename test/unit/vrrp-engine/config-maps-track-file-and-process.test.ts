// keepalived.conf's track_file / vrrp_track_process blocks and the instances' track_file /
// track_process lines reach the engine spec (src/daemon/config-to-vrrp.ts): weights and
// reverse from the line or the block, init_file, quorum and delays, parameters; a sync
// group's lines go to every member unless the member names the tracker itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfigText } from '../../../src/config/index.js';
import { configToVrrp } from '../../../src/daemon/config-to-vrrp.js';

const CONF = `
vrrp_track_file tf {
    file /run/halb/prio
    weight -2 reverse
    init_file 5 overwrite
}
track_file tg {
    file /run/halb/group
}
vrrp_track_process web {
    process /usr/sbin/nginx -g "daemon off;"
    param_match partial
    weight -40
    quorum 2
    quorum_max 4
    fork_delay 0.5
    terminate_delay 2
}
vrrp_track_process proxy {
    process haproxy
}
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 51
    priority 150
    virtual_ipaddress {
        192.0.2.200/24
    }
    track_file {
        tf
        tg weight 7
    }
    track_process {
        web weight -10
    }
}
vrrp_instance VI_2 {
    interface eth0
    virtual_router_id 52
    virtual_ipaddress {
        192.0.2.201/24
    }
}
vrrp_sync_group G {
    group {
        VI_1
        VI_2
    }
    sync_group_tracking_weight
    track_file {
        tg weight 3
    }
    track_process {
        proxy
    }
}
`;

test('track_file and vrrp_track_process blocks and references map onto the engine spec', () => {
  const { config, diagnostics } = parseConfigText(CONF);
  assert.deepEqual(diagnostics.filter((d) => d.severity !== 'warning').map((d) => d.message), []);
  const { spec, notes } = configToVrrp(config);
  assert.deepEqual(notes, []);
  assert.deepEqual(spec.trackFiles, [
    { name: 'tf', path: '/run/halb/prio', weight: -2, reverse: true, init: { value: 5, overwrite: true } },
    { name: 'tg', path: '/run/halb/group', weight: 1, reverse: false },
  ]);
  assert.deepEqual(spec.trackProcesses, [
    {
      name: 'web', process: '/usr/sbin/nginx', args: ['-g', 'daemon off;'], paramMatch: 'partial', fullCommand: true,
      weight: -40, reverse: false, quorum: 2, quorumMax: 4, forkDelayMs: 500, terminateDelayMs: 2000,
    },
    { name: 'proxy', process: 'haproxy', args: [], fullCommand: false, weight: 0, reverse: false, quorum: 1, forkDelayMs: 0, terminateDelayMs: 0 },
  ]);
  const [vi1, vi2] = spec.instances;
  assert.deepEqual(vi1!.io.trackFiles, [
    { file: 'tf', weight: -2, reverse: true },
    { file: 'tg', weight: 7, reverse: false },
  ], 'the instance\'s own line wins over the group\'s');
  assert.deepEqual(vi1!.io.trackProcesses, [{ process: 'web', weight: -10, reverse: false }, { process: 'proxy', weight: 0, reverse: false }]);
  assert.deepEqual(vi2!.io.trackFiles, [{ file: 'tg', weight: 3, reverse: false }], 'the group\'s lines reach every member');
  assert.deepEqual(vi2!.io.trackProcesses, [{ process: 'proxy', weight: 0, reverse: false }]);
});
