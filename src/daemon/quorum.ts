// keepalived's quorum with hysteresis (check/ipwrapper.c update_quorum_state): the
// service gains quorum when the alive weight reaches quorum + hysteresis and loses it
// when the alive weight falls below quorum - hysteresis; in between it keeps its state.

export function nextQuorumUp(prevUp: boolean, aliveWeight: number, quorum: number, hysteresis: number): boolean {
  if (prevUp) return aliveWeight >= quorum - hysteresis;
  return aliveWeight >= quorum + hysteresis;
}
