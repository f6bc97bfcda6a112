import type { APIGatewayProxyEvent, APIGatewayRequestAuthorizerEvent, Context } from 'aws-lambda';

const METHOD_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:abc123def4/prod/GET/protected';

/** A REST API (v1) proxy event with the given parts. */
export function httpEvent(parts: Partial<APIGatewayProxyEvent> = {}): APIGatewayProxyEvent {
  return {
    body: null,
    headers: {},
    multiValueHeaders: {},
    httpMethod: 'POST',
    isBase64Encoded: false,
    path: '/',
    pathParameters: null,
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    resource: '/',
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123def4',
      authorizer: undefined,
      protocol: 'HTTP/1.1',
      httpMethod: 'POST',
      identity: {} as APIGatewayProxyEvent['requestContext']['identity'],
      path: '/',
      stage: 'prod',
      requestId: 'request-1',
      requestTimeEpoch: 0,
      resourceId: 'res',
      resourcePath: '/',
    },
    ...parts,
  };
}

/** A JSON POST event. */
export function jsonPost(body: unknown, headers: Record<string, string> = {}): APIGatewayProxyEvent {
  return httpEvent({ body: JSON.stringify(body), headers: { 'Content-Type': 'application/json', ...headers } });
}

/** A GET event as API Gateway passes it on after the authorizer allowed it. */
export function authorizedGet(context: Record<string, unknown> | undefined): APIGatewayProxyEvent {
  const event = httpEvent({ httpMethod: 'GET' });
  return { ...event, requestContext: { ...event.requestContext, authorizer: context } };
}

/** A request-type authorizer event carrying `authorization` as its Authorization header. */
export function authorizerEvent(authorization?: string, headerName = 'Authorization'): APIGatewayRequestAuthorizerEvent {
  return {
    type: 'REQUEST',
    methodArn: METHOD_ARN,
    resource: '/protected',
    path: '/protected',
    httpMethod: 'GET',
    headers: authorization === undefined ? {} : { [headerName]: authorization },
    multiValueHeaders: null,
    pathParameters: null,
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    requestContext: {} as APIGatewayRequestAuthorizerEvent['requestContext'],
  };
}

/** A Lambda context with the fields our handlers read. */
export function lambdaContext(functionName = 'test-function'): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: 'aws-request-1',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'stream',
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
