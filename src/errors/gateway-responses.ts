/**
 * The Gateway Responses of the REST API, derived from the error table's gateway column so that
 * the answers API Gateway makes itself say what the functions would. Build-time only:
 * `plugins/gateway-responses.js` writes them into the CloudFormation template.
 */
import { ERROR_TABLE, GATEWAY_OWN_MESSAGE, type GatewayResponseType } from './error-table';

export interface GatewayResponseSettings {
  /**
   * CORS on every answer. A Gateway Response has literal headers only (or the request's own, which
   * would echo any origin): `allowOrigin` is `*`, the first listed origin, or '' for none.
   */
  readonly cors: { readonly allowOrigin: string; readonly credentials: boolean; readonly allowHeaders: readonly string[] };
  /**
   * `static`: ACCESS_DENIED carries the table's step-up challenge; `context`: the Deny's own
   * (with the route's max_age), mapped from the authorizer context.
   */
  readonly stepUpChallenge: 'static' | 'context';
}

/** The properties of one `AWS::ApiGateway::GatewayResponse`, but for `RestApiId`. */
export interface GatewayResponseProperties {
  readonly ResponseType: GatewayResponseType;
  readonly StatusCode?: string;
  readonly ResponseParameters: Readonly<Record<string, string>>;
  readonly ResponseTemplates: Readonly<Record<'application/json', string>>;
}

/** Headers a browser script may read on an error (the challenge, when to retry). */
const EXPOSED_HEADERS = 'WWW-Authenticate,Retry-After';
/** The authorizer context value holding a Deny's own challenge (see `stepUpContext`). */
const CONTEXT_CHALLENGE = 'context.authorizer.challenge';
/**
 * A Deny's body also names the route's required `acr_values`, when it requires a class: the whole
 * member comes from the authorizer context (`DenyContext.acrValuesMember`), as a template cannot
 * test for it, and a missing context value is substituted by nothing. A header can only be a
 * literal or a request value, and one ACCESS_DENIED serves every fresh authorizer, so with the
 * static challenge this body member is what tells a client which authentication the route wants.
 */
const DENY_BODY_EXTRA = '$context.authorizer.acrValuesMember';

/** A literal header value as API Gateway wants it: in single quotes, which it cannot escape. */
function literal(value: string, what: string): string {
  if (value.includes("'")) throw new Error(`${what} cannot contain a single quote: ${value}`);
  return `'${value}'`;
}

/** `DEFAULT_4XX` → `GatewayResponseDefault4XX`: the logical ids this stack has always used. */
export function gatewayResponseLogicalId(type: GatewayResponseType): string {
  const words = type.split('_').map((word) => (/^\d/.test(word) ? word : word[0] + word.slice(1).toLowerCase()));
  return `GatewayResponse${words.join('')}`;
}

/**
 * Every Gateway Response the error table asks for, by logical id. The `DEFAULT_*` families keep
 * API Gateway's own status (a 504 stays a 504); every other answer takes the row's status.
 */
export function buildGatewayResponses(settings: GatewayResponseSettings): Record<string, GatewayResponseProperties> {
  if (settings.stepUpChallenge !== 'static' && settings.stepUpChallenge !== 'context') {
    throw new Error(`STEP_UP_CHALLENGE must be static or context, got "${String(settings.stepUpChallenge)}"`);
  }
  const responses: Record<string, GatewayResponseProperties> = {};
  for (const row of Object.values(ERROR_TABLE)) {
    if (!row.gateway) continue;
    const msg = row.gateway.msg === GATEWAY_OWN_MESSAGE ? '$context.error.messageString' : JSON.stringify(row.gateway.msg);
    for (const type of row.gateway.responses) {
      const headers: Record<string, string> = {};
      if (settings.cors.allowOrigin !== '') {
        headers['gatewayresponse.header.Access-Control-Allow-Origin'] = literal(settings.cors.allowOrigin, 'CORS_ALLOW_ORIGINS');
        headers['gatewayresponse.header.Access-Control-Allow-Headers'] = literal(settings.cors.allowHeaders.join(','), 'allowed headers');
        headers['gatewayresponse.header.Access-Control-Expose-Headers'] = literal(EXPOSED_HEADERS, 'exposed headers');
        if (settings.cors.allowOrigin !== '*') headers['gatewayresponse.header.Vary'] = "'Origin'";
        if (settings.cors.credentials) headers['gatewayresponse.header.Access-Control-Allow-Credentials'] = "'true'";
      }
      if (row.wwwAuthenticate !== undefined) {
        headers['gatewayresponse.header.WWW-Authenticate'] =
          row.authorizer === 'Deny' && settings.stepUpChallenge === 'context' ? CONTEXT_CHALLENGE : literal(row.wwwAuthenticate, type);
      }
      if (row.retryAfterSeconds !== undefined) headers['gatewayresponse.header.Retry-After'] = literal(String(row.retryAfterSeconds), type);
      responses[gatewayResponseLogicalId(type)] = {
        ResponseType: type,
        ...(type.startsWith('DEFAULT_') ? {} : { StatusCode: String(row.status) }),
        ResponseParameters: headers,
        ResponseTemplates: { 'application/json': `{"msg":${msg}${row.authorizer === 'Deny' ? DENY_BODY_EXTRA : ''}}` },
      };
    }
  }
  return responses;
}

/** One answer as API Gateway sends it: what `npm start` answers too (see `scripts/offline-gateway.ts`). */
export interface GatewayAnswer {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** What API Gateway knows about the request when it answers by itself. */
export interface GatewayAnswerContext {
  /** Its own status for the type, which the `DEFAULT_*` families keep (a 413 stays a 413). */
  readonly status: number;
  /** `$context.error.message`: its own words for the type ("Missing Authentication Token", …). */
  readonly errorMessage: string;
  /** The authorizer's context (a Deny's challenge), as `context.authorizer.*` reads it. */
  readonly authorizer?: Readonly<Record<string, string>>;
}

const HEADER_PREFIX = 'gatewayresponse.header.';
const AUTHORIZER_PREFIX = 'context.authorizer.';

/**
 * Renders one Gateway Response as API Gateway does: literal headers unquoted, `context.authorizer.*`
 * from the authorizer context (left out when the context lacks it), `$context.error.messageString`
 * as the quoted message. Throws on any other mapping, so a new kind cannot silently answer
 * differently on one machine than on AWS.
 */
export function renderGatewayResponse(response: GatewayResponseProperties, context: GatewayAnswerContext): GatewayAnswer {
  const headers: Record<string, string> = {};
  for (const [key, mapping] of Object.entries(response.ResponseParameters)) {
    if (!key.startsWith(HEADER_PREFIX)) throw new Error(`unsupported gateway response parameter ${key}`);
    const name = key.slice(HEADER_PREFIX.length);
    if (/^'[^']*'$/.test(mapping)) headers[name] = mapping.slice(1, -1);
    else if (mapping.startsWith(AUTHORIZER_PREFIX)) {
      const value = context.authorizer?.[mapping.slice(AUTHORIZER_PREFIX.length)];
      if (value !== undefined) headers[name] = value;
    } else throw new Error(`unsupported gateway response mapping ${mapping}`);
  }
  // As API Gateway fills a body template: the error's message as a JSON string, and the values a
  // Deny put in its authorizer context (empty when the context has none).
  const body = response.ResponseTemplates['application/json']
    .replaceAll('$context.error.messageString', JSON.stringify(context.errorMessage))
    .replace(/\$context\.authorizer\.(\w+)/g, (_, key: string) => context.authorizer?.[key] ?? '');
  if (body.includes('$')) throw new Error(`unsupported gateway response template ${body}`);
  return {
    statusCode: response.StatusCode === undefined ? context.status : Number(response.StatusCode),
    headers: { 'Content-Type': 'application/json', ...headers },
    body,
  };
}
