import { AppError } from '../../platform/errors.js';

/** 507 Insufficient Storage: the upload would take the space past its quota. */
export class QuotaExceededError extends AppError {
  constructor(quotaBytes: number, usedBytes: number) {
    super(507, 'quota_exceeded', `Not enough storage: this space uses ${usedBytes} of its ${quotaBytes} bytes. Delete files or empty the trash, or ask an administrator for more space.`, {
      quotaBytes,
      usedBytes,
    });
  }
}

/** 412: the item changed since the client read it (If-Match / If-None-Match). */
export class PreconditionFailedError extends AppError {
  constructor(message = 'The item changed since you last loaded it. Reload and try again.') {
    super(412, 'precondition_failed', message);
  }
}

/** 423: a WebDAV lock held by someone else (or without its token in the request) protects the item. */
export class LockedError extends AppError {
  constructor(message = 'The item is locked. Wait until the lock is released, or send its lock token.', code = 'locked') {
    super(423, code, message);
  }
}
