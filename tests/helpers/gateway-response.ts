import { loadCorsConfig } from '../../src/config/config';
import type { GatewayResponseType } from '../../src/errors/error-table';
import { buildGatewayResponses } from '../../src/errors/gateway-responses';

/** The Gateway Responses the template carries for these settings (plugins/cors.js + plugins/gateway-responses.js). */
function templateGatewayResponses(env: Record<string, string> = {}) {
  const { cors, allowHeaders } = loadCorsConfig({ TOKEN_LOCATION: 'headers', ...env });
  return buildGatewayResponses({
    cors: { allowOrigin: cors.origins === '*' ? '*' : (cors.origins[0] ?? ''), credentials: cors.credentials, allowHeaders },
    stepUpChallenge: 'static',
  });
}

/**
 * Asserts that a local answer is the template's Gateway Response of `type`, read as API Gateway
 * reads it: its status, each literal header, its JSON body, and no CORS header it does not name.
 */
export function expectGatewayResponse(
  answer: { status: number; headers: Headers; text: string },
  type: GatewayResponseType,
  env: Record<string, string> = {},
): void {
  const response = Object.values(templateGatewayResponses(env)).find((candidate) => candidate.ResponseType === type);
  if (!response) throw new Error(`the template has no ${type} Gateway Response`);
  expect({ type, status: answer.status }).toEqual({ type, status: Number(response.StatusCode) });
  const named = Object.keys(response.ResponseParameters).map((key) => key.replace('gatewayresponse.header.', '').toLowerCase());
  for (const [key, value] of Object.entries(response.ResponseParameters)) {
    expect({ type, header: key, value: answer.headers.get(key.replace('gatewayresponse.header.', '')) }).toEqual({
      type,
      header: key,
      value: value.slice(1, -1),
    });
  }
  const cors: string[] = [];
  answer.headers.forEach((_value, name) => {
    if (name.startsWith('access-control-') && !named.includes(name)) cors.push(name);
  });
  expect({ type, unnamed: cors }).toEqual({ type, unnamed: [] });
  expect(answer.headers.get('content-type')).toBe('application/json');
  // A body template may read the authorizer's context ($context.authorizer.acrValuesMember on a
  // Deny): the routes asked here want no class, so the context has none and API Gateway fills in "".
  const body = response.ResponseTemplates['application/json'].replace(/\$context\.authorizer\.\w+/g, '');
  expect(JSON.parse(answer.text)).toEqual(JSON.parse(body));
}
