// `global_defs { ... }` (keepalived/core/global_parser.c, Debian 2.2.7 build): identity,
// e-mail, scripts, process names, reload and SNMP/DBus. The VRRP, firewall, LVS and FIFO
// keywords are in global-vrrp.ts; the tuning knobs halb only carries are in global-other.ts.
import type { GlobalDefs } from '../model/global.js';
import type { KeywordTable, Parser } from '../parser.js';
import type { Stmt } from '../lexer.js';
import { isIP } from 'node:net';
import { readInt } from '../readers.js';
import { tableBlock } from '../parser.js';
import { endPos, needArg, optBool, restValue, scriptValue, userGroup, wordsBlock } from './kw-util.js';
import { globalVrrpKeywords } from './global-vrrp.js';
import { globalOtherKeywords } from './global-other.js';
import { conntrackSyncKeywords } from './global-conntrack-sync.js';

const TASK_COMM_LEN = 16;

function processName(s: Stmt, p: Parser, set: (v: string) => void): void {
  const v = s.words[1];
  if (v === undefined) {
    p.diag.error(s.pos, 'Process name missing', s.words[0]);
    return;
  }
  if (v.length >= TASK_COMM_LEN) {
    p.diag.error(s.pos, `Process name ${v} more than ${TASK_COMM_LEN - 1} characters, truncating`, s.words[0]);
  }
  set(v.slice(0, TASK_COMM_LEN - 1));
}

/** A hostname or address for smtp_server: keepalived resolves names, so accept any plausible one. */
function plausibleHost(h: string): boolean {
  return isIP(h) !== 0 || /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$/.test(h);
}

function umaskValue(s: Stmt, p: Parser): number | undefined {
  const bits: Record<string, number> = {
    IRUSR: 0o400, IWUSR: 0o200, IXUSR: 0o100, IRGRP: 0o40, IWGRP: 0o20, IXGRP: 0o10, IROTH: 0o4, IWOTH: 0o2, IXOTH: 0o1,
  };
  const first = s.words[1] as string;
  if (/^\d/.test(first)) {
    if (s.words.length !== 2) {
      p.diag.error(s.pos, 'Extra parameter(s) to umask option', 'umask');
      return undefined;
    }
    const v = first.startsWith('0x') ? Number.parseInt(first.slice(2), 16)
      : first.startsWith('0') ? Number.parseInt(first, 8) : Number(first);
    if (!Number.isInteger(v) || v < 0 || (v & ~0o777) !== 0 || !/^(0x[0-9a-f]+|0[0-7]*|[1-9]\d*)$/i.test(first)) {
      p.diag.error(s.pos, `invalid umask value ${first}`, 'umask');
      return undefined;
    }
    return v;
  }
  // `IRWXG|IRWXO` is not a bit name: keepalived only knows the nine single bits.
  let v = 0;
  let needOr = false;
  for (const w of s.words.slice(1)) {
    let rest = w;
    while (rest !== '') {
      if (needOr) {
        if (rest[0] !== '|') {
          p.diag.error(s.pos, `Invalid umask syntax ${w}`, 'umask');
          return undefined;
        }
        needOr = false;
        rest = rest.slice(1);
        continue;
      }
      const bit = bits[rest.slice(0, 5)];
      if (bit === undefined) {
        p.diag.error(s.pos, `Unknown umask bit ${rest}`, 'umask');
        return undefined;
      }
      v |= bit;
      rest = rest.slice(5);
      needOr = true;
    }
  }
  if (!needOr) {
    p.diag.error(s.pos, 'umask missing bit value', 'umask');
    return undefined;
  }
  return v;
}

function identityKeywords(g: GlobalDefs): KeywordTable {
  return {
    router_id: (s, p) => {
      if (s.words.length < 2) p.diag.error(s.pos, 'routerid name missing - ignoring', 'router_id');
      else g.routerId = restValue(s);
    },
    notification_email_from: (s, p) => {
      if (s.words.length < 2) p.diag.error(s.pos, 'emailfrom missing - ignoring', s.words[0]);
      else g.notificationEmailFrom = restValue(s);
    },
    smtp_server: (s, p) => {
      if (!needArg(s, p)) return;
      const host = s.words[1] as string;
      const portText = s.words[2] ?? '25';
      const port = /^\d+$/.test(portText) ? Number(portText) : Number.NaN;
      if (!plausibleHost(host) || !(port >= 1 && port <= 65535)) {
        p.diag.error(s.pos, `Invalid smtp server ${host} ${portText}`, 'smtp_server');
        return;
      }
      g.smtpServer = { host, port };
    },
    smtp_helo_name: (s) => {
      if (s.words[1] !== undefined) g.smtpHeloName = s.words[1];
    },
    smtp_connect_timeout: (s, p) => {
      if (!needArg(s, p)) return;
      const v = readInt(s, p, 1, 0, 4294);
      if (v === undefined) {
        p.diag.error(s.pos, `smtp_connect_timeout '${s.words[1]}' must be in [0, 4294] - ignoring`, s.words[0]);
        return;
      }
      if (v === 0) p.diag.error(s.pos, 'smtp_conect_timeout must be greater than 0, setting to 1', s.words[0]);
      g.smtpConnectTimeoutMs = Math.max(1, v) * 1000;
    },
    notification_email: (s, p) => {
      const before = g.notificationEmail.length;
      return wordsBlock((words) => g.notificationEmail.push(...words), (closePos) => {
        if (g.notificationEmail.length === before) p.diag.error(endPos(closePos, s.pos), 'Warning - empty notification_email block', s.words[0]);
      });
    },
    smtp_alert: (s, p) => {
      const v = optBool(s, p, (w) => `Invalid value '${w}' for global smtp_alert specified`);
      if (v !== undefined) g.smtpAlert = v;
    },
    smtp_alert_vrrp: (s, p) => {
      const v = optBool(s, p, (w) => `Invalid value '${w}' for global smtp_alert_vrrp specified`);
      if (v !== undefined) g.smtpAlertVrrp = v;
    },
    smtp_alert_checker: (s, p) => {
      const v = optBool(s, p, (w) => `Invalid value '${w}' for global smtp_alert_checker specified`);
      if (v !== undefined) g.smtpAlertChecker = v;
    },
    checker_log_all_failures: (s, p) => {
      const v = optBool(s, p, () => 'Invalid value for checker_log_all_failures specified');
      if (v !== undefined) g.checkerLogAllFailures = v;
    },
    no_email_faults: () => { g.noEmailFaults = true; },
    no_checker_emails: (s, p) => {
      const v = optBool(s, p, (w) => `Invalid value '${w}' for global no_checker_emails specified`);
      if (v !== undefined) g.noCheckerEmails = v;
    },
  };
}

function scriptKeywords(g: GlobalDefs): KeywordTable {
  const script = (kind: 'startup' | 'shutdown') => (s: Stmt, p: Parser): void => {
    const already = kind === 'startup' ? g.startupScript : g.shutdownScript;
    if (already !== undefined) {
      p.diag.error(s.pos, `${kind} script already specified`, s.words[0]);
      return;
    }
    if (s.words.length < 2) {
      p.diag.error(s.pos, `${kind} script missing`, s.words[0]);
      return;
    }
    const v = scriptValue(s, p);
    if (v === undefined) p.diag.error(s.pos, `Invalid ${kind} script`, s.words[0]);
    else if (kind === 'startup') g.startupScript = v;
    else g.shutdownScript = v;
  };
  const timeout = (kind: 'startup' | 'shutdown') => (s: Stmt, p: Parser): void => {
    if (s.words.length < 2) {
      p.diag.error(s.pos, `${kind}_script_timeout requires value`, s.words[0]);
      return;
    }
    const v = readInt(s, p, 1, 1, 1000);
    if (v === undefined) p.diag.error(s.pos, `${kind}_script_timeout '${s.words[1]}' must be in [1, 1000] - ignoring`, s.words[0]);
    else if (kind === 'startup') g.startupScriptTimeoutS = v;
    else g.shutdownScriptTimeoutS = v;
  };
  return {
    startup_script: script('startup'),
    startup_script_timeout: timeout('startup'),
    shutdown_script: script('shutdown'),
    shutdown_script_timeout: timeout('shutdown'),
    script_user: (s, p) => {
      const ug = userGroup(s.words.slice(1));
      if (ug === undefined) p.diag.error(s.pos, 'No script username specified', s.words[0]);
      else g.scriptUser = ug;
    },
    enable_script_security: () => { g.enableScriptSecurity = true; },
    umask: (s, p) => {
      if (!needArg(s, p)) return;
      const v = umaskValue(s, p);
      if (v !== undefined) g.umask = v;
    },
    random_seed: (s, p) => {
      if (!needArg(s, p)) return;
      const v = readInt(s, p, 1, 0, 4294967295);
      if (v === undefined) p.diag.error(s.pos, `random_seed ${s.words[1]} invalid`, s.words[0]);
      else g.randomSeed = v;
    },
    process_names: () => {
      g.vrrpProcessName = 'keepalived_vrrp';
      g.checkerProcessName = 'keepalived_lvs';
      g.bfdProcessName = 'keepalived_bfd';
    },
    process_name: (s, p) => processName(s, p, (v) => { g.processName = v; }),
    vrrp_process_name: (s, p) => processName(s, p, (v) => { g.vrrpProcessName = v; }),
    checker_process_name: (s, p) => processName(s, p, (v) => { g.checkerProcessName = v; }),
    // Deprecated alias; keepalived only logs the deprecation (not a config error).
    lvs_process_name: (s, p) => processName(s, p, (v) => { g.checkerProcessName = v; }),
    bfd_process_name: (s, p) => processName(s, p, (v) => { g.bfdProcessName = v; }),
  };
}

function reloadKeywords(g: GlobalDefs): KeywordTable {
  return {
    reload_check_config: (s) => { g.reloadCheckConfig = s.words.length >= 2 ? restValue(s) : '/dev/null'; },
    reload_time_file: (s, p) => {
      if (s.words.length !== 2) p.diag.error(s.pos, 'reload_time_file invalid', s.words[0]);
      else g.reloadTimeFile = s.words[1];
    },
    reload_repeat: () => { g.reloadRepeat = true; },
    reload_file: (s) => { g.reloadFile = s.words[1] ?? 'keepalived.reload'; },
    // Applied by the pre-processor while reading; accepted here so it is not "unknown".
    include_check: () => undefined,
    tmp_config_directory: (s, p) => {
      if (g.tmpConfigDirectory !== undefined) p.diag.error(s.pos, `${s.words[0]} already specified - ignoring`, s.words[0]);
      else if (s.words[1] === undefined) p.diag.error(s.pos, `${s.words[0]} missing directory name`, s.words[0]);
      else g.tmpConfigDirectory = s.words[1];
    },
    config_save_dir: (s, p) => {
      if (s.words[1] === undefined) p.diag.error(s.pos, `${s.words[0]} missing directory name`, s.words[0]);
      else g.configSaveDir = s.words[1];
    },
    data_use_instance: (s, p) => {
      const v = optBool(s, p, (w) => `Invalid value '${w}' for global date_use_instance specified`);
      if (v !== undefined) g.dataUseInstance = v;
    },
    snmp_socket: (s, p) => {
      if (s.words.length > 2) p.diag.error(s.pos, 'Too many parameters specified for snmp_socket - ignoring', s.words[0]);
      else if (s.words.length < 2) p.diag.error(s.pos, 'SNMP error : snmp socket name missing', s.words[0]);
      else if (g.snmpSocket !== undefined) p.diag.error(s.pos, `SNMP socket already set to ${g.snmpSocket} - ignoring`, s.words[0]);
      else g.snmpSocket = s.words[1];
    },
    enable_traps: () => { g.enableTraps = true; },
    enable_snmp_vrrp: () => { g.enableSnmpVrrp = true; },
    enable_snmp_keepalived: () => { g.enableSnmpVrrp = true; },
    enable_snmp_checker: () => { g.enableSnmpChecker = true; },
    enable_snmp_rfc: () => { g.enableSnmpRfcV2 = true; g.enableSnmpRfcV3 = true; },
    enable_snmp_rfcv2: () => { g.enableSnmpRfcV2 = true; },
    enable_snmp_rfcv3: () => { g.enableSnmpRfcV3 = true; },
    enable_dbus: () => { g.enableDbus = true; },
    dbus_service_name: (s, p) => {
      if (s.words.length < 2) p.diag.error(s.pos, 'dbus_service_name missing - ignoring', s.words[0]);
      else g.dbusServiceName = restValue(s);
    },
  };
}

/** The `global_defs` root keyword. */
export function globalDefsKeywords(g: GlobalDefs): KeywordTable {
  const table: KeywordTable = {
    ...identityKeywords(g),
    ...scriptKeywords(g),
    ...reloadKeywords(g),
    ...globalVrrpKeywords(g),
    ...globalOtherKeywords(g),
    ...conntrackSyncKeywords(g),
  };
  return { global_defs: () => tableBlock(table) };
}
