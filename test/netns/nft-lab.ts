// The LAN the nft dataplane's netns tests run on, after the seeds' set-up: a client, a
// director and two web servers on one bridge, documentation addresses only.
//
//   client    192.0.2.100/24 (+ .101-.108)  198.51.100.10/24 (+ .11-.18)  default via 198.51.100.1
//   director  192.0.2.1/24  198.51.100.1/24  DR VIP 192.0.2.50/32 on eth0 (as VRRP would add it)
//   rs1, rs2  192.0.2.11/24, 192.0.2.12/24   default via 192.0.2.1 (the director: NAT replies return through it)
//
// NAT VIP 203.0.113.10 is routed to the director; its replies come back through it. The
// DR VIP is in the servers' own subnet, as in the seeds, so a real server answers the
// client straight over the LAN. Web servers answer every request with their name.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Lan } from '../helpers/lan.js';

export const NAT_VIP = '203.0.113.10';
export const DR_VIP = '192.0.2.50';
export const RS = { rs1: '192.0.2.11', rs2: '192.0.2.12' } as const;
export const NAT_CLIENTS = Array.from({ length: 9 }, (_, i) => `198.51.100.${10 + i}`);
export const DR_CLIENTS = Array.from({ length: 9 }, (_, i) => `192.0.2.${100 + i}`);

function must(lan: Lan, host: string, cmd: string, args: string[]): void {
  const r = lan.ns(host).run(cmd, args);
  if (r.status !== 0) throw new Error(`${host}: ${cmd} ${args.join(' ')}: ${r.stderr.trim()}`);
}

export function createLab(tag: string): Lan {
  const lan = Lan.create(`${tag}${process.pid % 10000}`, [
    { name: 'client', addresses: [...DR_CLIENTS.map((a) => `${a}/24`), ...NAT_CLIENTS.map((a) => `${a}/24`)] },
    { name: 'director', addresses: ['192.0.2.1/24', '198.51.100.1/24', `${DR_VIP}/32`] },
    { name: 'rs1', addresses: [`${RS.rs1}/24`] },
    { name: 'rs2', addresses: [`${RS.rs2}/24`] },
  ]);
  try {
    must(lan, 'client', 'ip', ['route', 'add', 'default', 'via', '198.51.100.1']);
    for (const h of ['rs1', 'rs2']) must(lan, h, 'ip', ['route', 'add', 'default', 'via', '192.0.2.1']);
    // One-armed NAT: replies leave the director by the interface they came in on; an
    // ICMP redirect would tell the server to skip the director and break the translation.
    must(lan, 'director', 'sysctl', ['-qw', 'net.ipv4.conf.all.send_redirects=0', 'net.ipv4.conf.eth0.send_redirects=0']);
  } catch (e) {
    lan.destroy();
    throw e;
  }
  return lan;
}

/** rs1 and rs2 as the seeds' lvs_dr_rs.sh leaves a DR real server: the VIP on lo, ARP for it kept quiet. */
export function drRealServers(lan: Lan): void {
  for (const h of ['rs1', 'rs2']) {
    must(lan, h, 'ip', ['addr', 'add', `${DR_VIP}/32`, 'dev', 'lo']);
    must(lan, h, 'sysctl', ['-qw', 'net.ipv4.conf.all.arp_ignore=1', 'net.ipv4.conf.all.arp_announce=2']);
  }
}

/** An HTTP server on port 80 of `host` answering with `name`; resolves once it listens. */
export function webServer(lan: Lan, host: string, name: string): Promise<ChildProcess> {
  // '/who' also names the client's port: the same port twice means the same connection.
  const code = `const s=require('http').createServer((q,r)=>{r.setHeader('content-type','text/plain');` +
    `r.end(q.url==='/who'?'${name} '+q.socket.remotePort:'${name}')});` +
    `s.keepAliveTimeout=60000;s.listen(80,'::',()=>console.log('ready'))`;
  const p = spawn('ip', ['netns', 'exec', lan.ns(host).name, process.execPath, '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`web server on ${host} did not start`)), 10_000);
    p.stdout!.once('data', () => {
      clearTimeout(t);
      resolve(p);
    });
    p.once('exit', (c) => reject(new Error(`web server on ${host} exited (${c})`)));
  });
}

export interface GetOptions {
  readonly host: string;
  readonly port?: number;
  /** Source address on the client. */
  readonly from?: string;
  /** Keep-alive agent to reuse (one socket per name); a fresh connection with Connection: close when absent. */
  readonly agent?: string;
  readonly path?: string;
}

const DRIVER = `
const http=require('http');const rl=require('readline').createInterface({input:process.stdin});
const agents=new Map();
function get(o){return new Promise((res)=>{
  let agent=false;
  if(o.agent){agent=agents.get(o.agent);if(!agent){agent=new http.Agent({keepAlive:true,maxSockets:1});agents.set(o.agent,agent);}}
  const q=http.get({host:o.host,port:o.port||80,path:o.path||'/',localAddress:o.from,agent,timeout:3000,headers:o.agent?{}:{connection:'close'}},(r)=>{
    let b='';r.setEncoding('utf8');r.on('data',(c)=>b+=c);r.on('end',()=>res({ok:true,body:b}));});
  q.on('timeout',()=>q.destroy(new Error('timeout')));q.on('error',(e)=>res({ok:false,error:e.message}));});}
rl.on('line',async(l)=>{const m=JSON.parse(l);const out=[];for(const o of m.list)out.push(await get(o));
  process.stdout.write(JSON.stringify({id:m.id,out})+'\\n');});
`;

/** A long-lived HTTP client in the client namespace: keep-alive sockets survive between calls. */
export class HttpClient {
  readonly #proc: ChildProcess;
  readonly #waiting = new Map<number, (out: { ok: boolean; body?: string; error?: string }[]) => void>();
  #id = 0;

  constructor(lan: Lan, host = 'client') {
    this.#proc = spawn('ip', ['netns', 'exec', lan.ns(host).name, process.execPath, '-e', DRIVER], { stdio: ['pipe', 'pipe', 'inherit'] });
    createInterface({ input: this.#proc.stdout! }).on('line', (l) => {
      const m = JSON.parse(l) as { id: number; out: { ok: boolean; body?: string; error?: string }[] };
      this.#waiting.get(m.id)?.(m.out);
      this.#waiting.delete(m.id);
    });
  }

  /** Run the requests one after another; each result is the server's name or `error: ...`. */
  batch(list: readonly GetOptions[]): Promise<string[]> {
    const id = ++this.#id;
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('client driver did not answer')), 5000 + list.length * 3500);
      this.#waiting.set(id, (out) => {
        clearTimeout(t);
        resolve(out.map((o) => (o.ok ? o.body ?? '' : `error: ${o.error ?? '?'}`)));
      });
      this.#proc.stdin!.write(`${JSON.stringify({ id, list })}\n`);
    });
  }

  close(): void {
    this.#proc.kill('SIGKILL');
  }
}

export function count(names: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const n of names) out[n] = (out[n] ?? 0) + 1;
  return out;
}

export function stop(procs: readonly ChildProcess[]): void {
  for (const p of procs) p.kill('SIGKILL');
}
