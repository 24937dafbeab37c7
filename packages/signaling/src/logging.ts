/**
 * Join codes are credentials that travel in URL paths (/j/CODE, /api/v1/join/CODE):
 * mask them wherever a URL is logged. Tokens and passwords never reach a log line.
 */
export function maskJoinCodes(url: string): string {
  return url.replace(/\/(j|api\/v1\/join)\/[^/?#]+/g, '/$1/***');
}

/** pino options for any Tandem process: redaction plus URL masking in request logs. */
export const logRedaction = {
  redact: {
    paths: [
      'req.headers.authorization', 'req.headers.cookie', 'token', 'password', '*.token', '*.password',
      'credential', '*.credential', 'secret', '*.secret', 'resumeToken', '*.resumeToken',
    ],
    censor: '[redacted]',
  },
  serializers: {
    req(req: { method?: string; url?: string; ip?: string }) {
      return { method: req.method, url: maskJoinCodes(req.url ?? ''), ip: req.ip };
    },
  },
};
