import { TandemError, type HttpErrorReply } from '@tandem/protocol';
import type { FastifyError, FastifyInstance } from 'fastify';

/**
 * Every HTTP error leaves as `{ error: { code, message } }` with the status of its code.
 * Schema failures become BAD_PARAMS; anything unexpected is logged and reported as
 * INTERNAL without its details.
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | TandemError | Error, request, reply) => {
    let status: number;
    let body: HttpErrorReply;
    if (error instanceof TandemError) {
      status = error.status;
      body = { error: error.toBody() };
    } else if ('validation' in error && error.validation) {
      status = 400;
      body = { error: { code: 'BAD_PARAMS', message: error.message } };
    } else if ('statusCode' in error && typeof error.statusCode === 'number' && error.statusCode < 500) {
      status = error.statusCode;
      const code = status === 413 ? 'FRAME_TOO_LARGE' : status === 415 || status === 400 ? 'BAD_MESSAGE' : 'BAD_PARAMS';
      body = { error: { code, message: error.message } };
    } else {
      request.log.error({ err: error }, 'request failed');
      status = 500;
      body = { error: { code: 'INTERNAL', message: 'internal error' } };
    }
    void reply.status(status).send(body);
  });
  app.setNotFoundHandler((_request, reply) => {
    void reply.status(404).send({ error: { code: 'NOT_FOUND', message: 'no such route' } } satisfies HttpErrorReply);
  });
}
