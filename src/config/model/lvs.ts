// PLACEHOLDER shapes: to be completed by the LVS keyword work.
import type { SourcePos } from '../diagnostics.js';
export interface VirtualServerGroup { name: string; pos: SourcePos }
export interface VirtualServer { pos: SourcePos }
export interface SslConfig { pos: SourcePos }
