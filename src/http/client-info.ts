import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { ClientInfo } from '../sessions/family-store';
import { getHeader } from './headers';

/** User agents are kept (sessions list, audit lines) to this many characters. */
const MAX_USER_AGENT = 256;

/**
 * Who sent the request: the source IP as API Gateway saw it (never X-Forwarded-For, which a
 * client can write) and its user agent, cut to a sane length.
 */
export function readClientInfo(event: Pick<APIGatewayProxyEvent, 'requestContext' | 'headers'>): ClientInfo {
  const identity = event.requestContext?.identity;
  const userAgent = identity?.userAgent ?? getHeader(event.headers, 'user-agent') ?? '';
  return { ip: identity?.sourceIp || 'unknown', userAgent: userAgent.slice(0, MAX_USER_AGENT) };
}
