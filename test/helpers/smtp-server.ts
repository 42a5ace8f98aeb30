// A small real SMTP server on loopback (RFC 5321 subset: HELO/EHLO, MAIL, RCPT, DATA,
// RSET, NOOP, QUIT) for the SMTP_CHECK and smtp_alert tests. It records every command
// and every message; `greeting` can be switched to make the service look broken.
import net from 'node:net';

export interface ReceivedMail {
  from: string;
  to: string[];
  /** The DATA payload with dot-stuffing undone, CRLF line ends, without the final dot. */
  data: string;
}

export interface SmtpTestServer {
  readonly port: number;
  readonly commands: string[];
  readonly mails: ReceivedMail[];
  /** The greeting code sent to new connections (220 = healthy). */
  greeting: number;
  close(): Promise<void>;
}

export async function startSmtpServer(port = 0, host = '127.0.0.1'): Promise<SmtpTestServer> {
  const sockets = new Set<net.Socket>();
  const state: SmtpTestServer = {
    port: 0,
    commands: [],
    mails: [],
    greeting: 220,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => undefined);
    let buf = '';
    let inData = false;
    let mail: ReceivedMail = { from: '', to: [], data: '' };
    const reply = (line: string): void => { sock.write(`${line}\r\n`); };
    if (state.greeting !== 220) {
      reply(`${state.greeting} service not available`);
      sock.end();
      return;
    }
    reply('220 halb-test ESMTP ready');
    sock.on('data', (chunk: Buffer) => {
      buf += chunk.toString('latin1');
      for (;;) {
        if (inData) {
          const end = buf.indexOf('\r\n.\r\n');
          if (end < 0) return;
          mail.data = buf.slice(0, end + 2).replace(/^\.\./gm, '.');
          buf = buf.slice(end + 5);
          inData = false;
          state.mails.push(mail);
          mail = { from: '', to: [], data: '' };
          reply('250 2.0.0 queued');
          continue;
        }
        const nl = buf.indexOf('\r\n');
        if (nl < 0) return;
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 2);
        state.commands.push(line);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'HELO' || verb === 'EHLO') reply('250 halb-test');
        else if (verb === 'MAIL') { mail.from = /<([^>]*)>/.exec(line)?.[1] ?? ''; reply('250 2.1.0 ok'); }
        else if (verb === 'RCPT') { mail.to.push(/<([^>]*)>/.exec(line)?.[1] ?? ''); reply('250 2.1.5 ok'); }
        else if (verb === 'DATA') { inData = true; reply('354 end data with <CR><LF>.<CR><LF>'); }
        else if (verb === 'RSET' || verb === 'NOOP') reply('250 ok');
        else if (verb === 'QUIT') { reply('221 bye'); sock.end(); return; }
        else reply('500 unknown command');
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  (state as { port: number }).port = (server.address() as net.AddressInfo).port;
  return state;
}
