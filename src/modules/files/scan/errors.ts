import { AppError } from '../../../platform/errors.js';

/** 422: clamd recognised malware in the upload; nothing was stored where anyone can see it. */
export class VirusFoundError extends AppError {
  constructor(readonly signature: string, name: string) {
    super(
      422,
      'virus_found',
      `The virus scanner found ${signature} in ${name}, so the upload was refused and nothing was stored. Clean the file (or check where it came from) and upload it again; ask an administrator if you think this is a mistake.`,
      { signature },
    );
  }
}

/** 503: scanning is configured but clamd did not answer; uploads fail closed rather than go unscanned. */
export class ScannerUnavailableError extends AppError {
  constructor(readonly reason: string) {
    super(503, 'scanner_unavailable', 'The virus scanner is unavailable, so the upload was not stored. Try again later; if it keeps failing, tell an administrator.');
  }
}

/** 413: the file is larger than clamd accepts (its StreamMaxLength), so it cannot be checked. */
export class TooLargeToScanError extends AppError {
  constructor() {
    super(413, 'too_large_to_scan', 'This file is larger than the virus scanner accepts, so it was not stored. Upload a smaller file, or ask an administrator to raise StreamMaxLength in clamd.conf.');
  }
}
