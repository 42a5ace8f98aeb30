// The transport the VRRP engine talks through. src/sys/raw-socket.ts implements it
// with the native addon; test/helpers/ implements it in memory, so the engine is
// tested without root (STYLE.md guideline 7).

export interface PacketMeta {
  /** Source address of the packet. */
  readonly src: string;
  /** Destination address (from IP_PKTINFO / IPV6_PKTINFO); '' when unknown. */
  readonly dst: string;
  readonly ifindex: number;
  /** IPv4 TTL or IPv6 hop limit from ancillary data; -1 when the kernel gave none. */
  readonly ttl: number;
}

export interface PacketSocket {
  send(buf: Buffer, dst: string): void;
  onPacket(cb: (buf: Buffer, meta: PacketMeta) => void): void;
  close(): void;
  /**
   * Attach a classic BPF program (bytes of struct sock_filter[]) that the kernel runs on
   * every packet before queueing it; it replaces the previous one. Optional: a transport
   * without a kernel filter delivers everything.
   */
  setFilter?(program: Buffer): void;
  /** Packets the kernel dropped for this socket (receive queue full), when it reports them. */
  kernelDrops?(): number | undefined;
}
