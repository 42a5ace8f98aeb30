// What the daemon and the CLI use from health checking.
export type { Checker, CheckOutcome, CheckerSnapshot, FailReason } from './checker.js';
export { buildChecker, buildTarget, contextFromConfig, type BuildContext, type BuildResult, type CheckerEntry, type HealthTarget } from './registry.js';
export { HealthScheduler, type CheckerEvent, type RealServerEvent, type HealthSnapshot, type CheckerStatus, type SchedulerOptions } from './scheduler.js';
export type { CheckTiming, RunnerState } from './runner.js';
export type { RealServerHealth } from './rs-health.js';
export { SpawnPing, type EchoTransport } from './ping.js';
