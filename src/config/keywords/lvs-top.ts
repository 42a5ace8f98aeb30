// The LVS root keywords (keepalived's init_check_keywords): SSL, virtual_server_group,
// virtual_server.
import type { KeepalivedConfig } from '../model/index.js';
import type { KeywordTable } from '../parser.js';
import { tableBlock } from '../parser.js';
import type { SslConfig } from '../model/lvs.js';
import { virtualServerGroupHandler } from './virtual-server-group.js';
import { virtualServerHandler } from './virtual-server.js';

type SslFile = 'password' | 'ca' | 'certificate' | 'key';

/** keepalived names ca/certificate/key "cafile"/"certfile"/"keyfile" in its messages. */
const SSL_NAMES: Record<SslFile, string> = { password: 'password', ca: 'cafile', certificate: 'certfile', key: 'keyfile' };

function sslHandler(cfg: KeepalivedConfig): KeywordTable[string] {
  return (s, p) => {
    if (cfg.ssl !== undefined) p.diag.error(s.pos, 'SSL context already specified - replacing', 'SSL');
    const ssl: SslConfig = { pos: s.pos };
    cfg.ssl = ssl;
    const file = (k: SslFile): KeywordTable[string] => (st, pp) => {
      const w = st.words[1];
      if (w === undefined) return pp.diag.error(st.pos, `SSL ${SSL_NAMES[k]} missing`, k);
      if (ssl[k] !== undefined) pp.diag.error(st.pos, `SSL ${SSL_NAMES[k]} already specified - replacing`, k);
      ssl[k] = w;
    };
    return tableBlock({ password: file('password'), ca: file('ca'), certificate: file('certificate'), key: file('key') });
  };
}

export function lvsTopKeywords(cfg: KeepalivedConfig): KeywordTable {
  return {
    SSL: sslHandler(cfg),
    virtual_server_group: virtualServerGroupHandler(cfg),
    virtual_server: virtualServerHandler(cfg),
  };
}
