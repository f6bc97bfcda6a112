import { ERROR_TABLE } from '../../../src/errors/error-table';
import { buildGatewayResponses, gatewayResponseLogicalId } from '../../../src/errors/gateway-responses';

const ANY = { allowOrigin: '*', credentials: false, allowHeaders: ['Authorization', 'Content-Type'] };
const APP = { allowOrigin: 'https://app.example', credentials: true, allowHeaders: ['Authorization', 'Content-Type', 'X-CSRF-TOKEN'] };

describe('buildGatewayResponses', () => {
  it('keeps the logical ids the stack has always used, so an update never deletes a live response', () => {
    expect(gatewayResponseLogicalId('DEFAULT_4XX')).toBe('GatewayResponseDefault4XX');
    expect(gatewayResponseLogicalId('ACCESS_DENIED')).toBe('GatewayResponseAccessDenied');
    expect(gatewayResponseLogicalId('MISSING_AUTHENTICATION_TOKEN')).toBe('GatewayResponseMissingAuthenticationToken');
  });

  it('writes one response per gateway type named in the table, with the row status except for the DEFAULT families', () => {
    const responses = buildGatewayResponses({ cors: APP, stepUpChallenge: 'static' });
    const types = Object.values(ERROR_TABLE).flatMap((row) => row.gateway?.responses ?? []);
    expect(
      Object.values(responses)
        .map((r) => r.ResponseType)
        .sort(),
    ).toEqual([...types].sort());
    expect(responses.GatewayResponseMissingAuthenticationToken).toMatchObject({
      StatusCode: '404',
      ResponseTemplates: { 'application/json': '{"msg":"Not found"}' },
    });
    expect(responses.GatewayResponseDefault5XX?.StatusCode).toBeUndefined();
    expect(responses.GatewayResponseDefault4XX?.ResponseTemplates['application/json']).toBe('{"msg":$context.error.messageString}');
    expect(responses.GatewayResponseUnauthorized?.ResponseParameters).toMatchObject({
      'gatewayresponse.header.Access-Control-Allow-Origin': "'https://app.example'",
      'gatewayresponse.header.Access-Control-Allow-Credentials': "'true'",
      'gatewayresponse.header.Access-Control-Allow-Headers': "'Authorization,Content-Type,X-CSRF-TOKEN'",
      'gatewayresponse.header.Vary': "'Origin'",
    });
    const any = buildGatewayResponses({ cors: ANY, stepUpChallenge: 'static' }).GatewayResponseUnauthorized?.ResponseParameters;
    expect(any).not.toHaveProperty(['gatewayresponse.header.Access-Control-Allow-Credentials']);
    expect(any).not.toHaveProperty(['gatewayresponse.header.Vary']);
  });

  it('maps the Deny challenge from the authorizer context when asked to', () => {
    const responses = buildGatewayResponses({ cors: ANY, stepUpChallenge: 'context' });
    expect(responses.GatewayResponseAccessDenied?.ResponseParameters['gatewayresponse.header.WWW-Authenticate']).toBe(
      'context.authorizer.challenge',
    );
    expect(responses.GatewayResponseUnauthorized?.ResponseParameters['gatewayresponse.header.WWW-Authenticate']).toBe(
      `'Bearer error="invalid_token"'`,
    );
  });

  it('refuses settings it cannot write as API Gateway literals', () => {
    expect(() => buildGatewayResponses({ cors: { ...ANY, allowOrigin: "https://x'y" }, stepUpChallenge: 'static' })).toThrow(
      'CORS_ALLOW_ORIGINS cannot contain a single quote',
    );
    expect(() => buildGatewayResponses({ cors: ANY, stepUpChallenge: 'dynamic' as 'static' })).toThrow(
      'STEP_UP_CHALLENGE must be static or context',
    );
  });
});
