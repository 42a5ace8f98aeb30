// PLACEHOLDER shapes: to be completed by the global_defs/VRRP keyword work.
export interface TopLevelOptions {
  netNamespace?: string;
  instance?: string;
}
export interface GlobalDefs {
  routerId?: string;
}
export function emptyTopLevel(): TopLevelOptions {
  return {};
}
export function emptyGlobalDefs(): GlobalDefs {
  return {};
}
