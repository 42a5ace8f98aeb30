// smtp_alert: mail sent on real server state changes (keepalived core/smtp.c), with the
// same dialogue: 220, HELO smtp_helo_name, MAIL FROM, one RCPT TO per notification_email,
// DATA, the headers keepalived writes (Date, From, Subject, X-Mailer, To), the body, the
// final dot, QUIT. Every reply is checked, and every step is bounded by
// smtp_connect_timeout, as keepalived's reads and writes are.
import net from 'node:net';
import os from 'node:os';
import type { GlobalDefs } from '../config/model/global.js';
import { AbortedRun } from '../check/net-util.js';
import { SmtpSession } from '../check/smtp-session.js';
import { errorText } from '../check/checker.js';

export interface SmtpAlertConfig {
  readonly to: readonly string[];
  readonly from: string;
  readonly server: { readonly host: string; readonly port: number };
  readonly heloName: string;
  readonly timeoutMs: number;
  readonly routerId: string;
}

/** The alert settings of global_defs, or undefined when mail is not configured. */
export function alertConfig(g: Pick<GlobalDefs, 'notificationEmail' | 'notificationEmailFrom' | 'smtpServer' | 'smtpHeloName' | 'smtpConnectTimeoutMs' | 'routerId'>): SmtpAlertConfig | undefined {
  if (g.smtpServer === undefined || g.notificationEmail.length === 0) return undefined;
  return {
    to: g.notificationEmail,
    from: g.notificationEmailFrom ?? `${os.userInfo().username}@${os.hostname()}`,
    server: g.smtpServer,
    heloName: g.smtpHeloName ?? 'localhost',
    timeoutMs: g.smtpConnectTimeoutMs,
    routerId: g.routerId,
  };
}

/** keepalived's SMTP_MSG_RS subject. */
export function realServerSubject(routerId: string, rs: string, vs: string, up: boolean): string {
  return `[${routerId}] Realserver ${rs} of virtual server ${vs} - ${up ? 'UP' : 'DOWN'}`;
}

/** keepalived's SMTP_MSG_VS subject (quorum changes). */
export function virtualServerSubject(routerId: string, vs: string, what: string): string {
  return `[${routerId}] Virtualserver ${vs} - ${what}`;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** RFC 5322 §3.3 date-time in local time: strftime("%a, %d %b %Y %H:%M:%S %z"). */
export function rfc5322Date(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  const off = -d.getTimezoneOffset();
  const z = `${off >= 0 ? '+' : '-'}${p(Math.floor(Math.abs(off) / 60))}${p(Math.abs(off) % 60)}`;
  return `${DAYS[d.getDay()]}, ${p(d.getDate())} ${MONTHS[d.getMonth()]} ${d.getFullYear()} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())} ${z}`;
}

/** Headers and body as DATA carries them, CRLF line ends, dot-stuffed, without the final dot. */
export function formatMessage(c: SmtpAlertConfig, subject: string, body: string, date: Date): string {
  const head = `Date: ${rfc5322Date(date)}\r\nFrom: ${c.from}\r\nSubject: ${subject}\r\nX-Mailer: Keepalived\r\nTo: ${c.to.join(', ')}\r\n\r\n`;
  // RFC 5321 §4.5.2: "If the first character is a period, one additional period is inserted
  // at the beginning of the line."
  const text = body.replace(/\r?\n/g, '\r\n').split('\r\n').map((l) => (l.startsWith('.') ? `.${l}` : l)).join('\r\n');
  return `${head}${text}\r\n`;
}

export type AlertResult = { readonly ok: true } | { readonly ok: false; readonly stage: string; readonly detail: string };

export async function sendAlert(c: SmtpAlertConfig, subject: string, body: string, o: { date?: Date; signal?: AbortSignal } = {}): Promise<AlertResult> {
  let stage = 'connect';
  let session: SmtpSession | undefined;
  const step = (): AbortSignal => AbortSignal.any([AbortSignal.timeout(c.timeoutMs), ...(o.signal !== undefined ? [o.signal] : [])]);
  const expect = async (line: string | undefined, want: number, name: string): Promise<void> => {
    stage = name;
    if (session === undefined) throw new Error('no session');
    const r = line === undefined ? await session.reply(step()) : await session.command(line, step());
    if (r.code !== want) throw new Error(`${name}: SMTP status code = ${r.code} ${r.text}`);
  };
  try {
    const sock = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect({ host: c.server.host, port: c.server.port });
      const t = AbortSignal.timeout(c.timeoutMs);
      const onAbort = (): void => { s.destroy(); reject(new Error(`Timeout connecting SMTP server [${c.server.host}]:${c.server.port}`)); };
      t.addEventListener('abort', onAbort, { once: true });
      s.once('connect', () => { t.removeEventListener('abort', onAbort); resolve(s); });
      s.once('error', (e) => { t.removeEventListener('abort', onAbort); reject(e); });
    });
    session = new SmtpSession(sock);
    await expect(undefined, 220, 'greeting');
    await expect(`HELO ${c.heloName}\r\n`, 250, 'HELO');
    await expect(`MAIL FROM:<${c.from}>\r\n`, 250, 'MAIL');
    for (const rcpt of c.to) await expect(`RCPT TO:<${rcpt}>\r\n`, 250, 'RCPT');
    await expect('DATA\r\n', 354, 'DATA');
    await expect(`${formatMessage(c, subject, body, o.date ?? new Date())}.\r\n`, 250, 'DOT');
    // The message is accepted at this point; a server that drops the line on QUIT changes nothing.
    await expect('QUIT\r\n', 221, 'QUIT').catch(() => undefined);
    return { ok: true };
  } catch (e) {
    return { ok: false, stage, detail: e instanceof AbortedRun ? `no answer within ${c.timeoutMs} ms` : errorText(e) };
  } finally {
    session?.close();
  }
}
