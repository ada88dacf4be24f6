import type { FastifyError, FastifyInstance } from 'fastify';
import { ZodError } from 'zod';
import { AppError } from '../errors.js';

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/** Every failure leaves as `{ error: { code, message, details? } }` with a matching status. */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | AppError | ZodError | Error, req, reply) => {
    let status = 500;
    let body: ErrorBody = { error: { code: 'internal', message: 'Something went wrong on the server. Try again; if it persists, tell your administrator.' } };
    if (err instanceof AppError) {
      status = err.status;
      body = { error: { code: err.code, message: err.message, ...(err.details === undefined ? {} : { details: err.details }) } };
    } else if (err instanceof ZodError) {
      status = 400;
      body = { error: { code: 'invalid_input', message: err.issues[0]?.message ?? 'Invalid input', details: { issues: err.issues } } };
    } else if ('statusCode' in err && typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
      status = err.statusCode;
      body = { error: { code: fastifyCode(err as FastifyError), message: fastifyMessage(err as FastifyError) } };
    }
    if (status >= 500) req.log.error({ err }, 'request failed');
    // A refused upload was not read to its end: close the connection rather than leave it mid-body.
    if (!req.raw.complete) reply.header('connection', 'close');
    void reply.status(status).type('application/json; charset=utf-8').send(body);
  });
}

function fastifyCode(err: FastifyError): string {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'payload_too_large';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'unsupported_media_type';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return 'invalid_json';
    default:
      return err.statusCode === 429 ? 'too_many_requests' : 'bad_request';
  }
}

function fastifyMessage(err: FastifyError): string {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'The request body is too large.';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'Unsupported content type; send application/json.';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'The request body is empty; send a JSON object.';
    default:
      return err.message.startsWith('Body is not valid JSON') || err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError
        ? 'The request body is not valid JSON.'
        : err.message;
  }
}
