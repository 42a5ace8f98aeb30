// The typed error hierarchy. Every error halb raises on purpose is a HalbError with a
// stable `code` (listed in docs/errors.md) so callers and logs can branch on it; bugs
// in our own code use node:assert instead.

export type HalbErrorCode =
  | 'HALB_ERR_CONFIG'
  | 'HALB_ERR_SYS'
  | 'HALB_ERR_NOT_SUPPORTED'
  | 'HALB_ERR_CHECK_TIMEOUT'
  | 'HALB_ERR_PERMISSION'
  | 'HALB_ERR_USAGE';

export class HalbError extends Error {
  readonly code: HalbErrorCode;
  constructor(code: HalbErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A configuration problem tied to a place in a file. */
export class ConfigError extends HalbError {
  readonly file: string;
  readonly line: number;
  constructor(file: string, line: number, message: string, options?: { cause?: unknown }) {
    super('HALB_ERR_CONFIG', `(${file}: Line ${line}) ${message}`, options);
    this.file = file;
    this.line = line;
  }
}

/** A failed system call or external command, with the syscall and errno when known. */
export class SysError extends HalbError {
  readonly syscall: string;
  readonly errno: string | undefined;
  constructor(syscall: string, message: string, errno?: string, options?: { cause?: unknown }) {
    super('HALB_ERR_SYS', message, options);
    this.syscall = syscall;
    this.errno = errno;
  }
}

/** The platform (kernel, privileges, build) cannot do what was asked. */
export class NotSupportedError extends HalbError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('HALB_ERR_NOT_SUPPORTED', message, options);
  }
}

/** A capability or file permission is missing; names what is needed. */
export class PermissionError extends HalbError {
  readonly needed: string;
  constructor(needed: string, message: string, options?: { cause?: unknown }) {
    super('HALB_ERR_PERMISSION', message, options);
    this.needed = needed;
  }
}

export class CheckTimeoutError extends HalbError {
  readonly timeoutMs: number;
  constructor(timeoutMs: number, message: string) {
    super('HALB_ERR_CHECK_TIMEOUT', message);
    this.timeoutMs = timeoutMs;
  }
}

/** Bad command-line use. */
export class UsageError extends HalbError {
  constructor(message: string) {
    super('HALB_ERR_USAGE', message);
  }
}
