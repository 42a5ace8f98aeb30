// PLACEHOLDER shapes: to be completed by the VRRP keyword work.
import type { SourcePos } from '../diagnostics.js';
export interface StaticAddress { pos: SourcePos }
export interface StaticRoute { pos: SourcePos }
export interface StaticRule { pos: SourcePos }
export interface TrackGroup { name: string; pos: SourcePos }
export interface VrrpScript { name: string; pos: SourcePos }
export interface TrackFile { name: string; pos: SourcePos }
export interface TrackProcess { name: string; pos: SourcePos }
export interface BfdInstance { name: string; pos: SourcePos }
export interface SyncGroup { name: string; pos: SourcePos }
export interface GarpGroup { pos: SourcePos }
export interface VrrpInstance { name: string; pos: SourcePos }
