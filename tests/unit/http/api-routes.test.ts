import { apiRoutesOf, builtApiRoutes, type ServiceFunction } from '../../../src/http/api-routes';

/** A fresh-only authorizer function as serverless.yml declares one, with `environment` added. */
const freshOnly = (environment: Record<string, unknown> = {}): ServiceFunction => ({
  handler: 'authorizers/fresh-only.handler',
  environment: { JWT_SECRET: '', ...environment },
});
const route = (path: string, method: string, authorizer?: unknown) => ({ http: { path, method, cors: true, authorizer } });

describe('the routes of serverless.yml', () => {
  it('reads each http event: method, path with a leading slash, the function, and no guard on a public route', () => {
    const routes = apiRoutesOf({
      login: { handler: 'functions/login.handler', events: [route('login', 'post')] },
      page: { handler: 'functions/page.handler', events: [{ http: { path: '/', method: 'get' } }] },
      remove: { handler: 'functions/remove.handler', events: [route('sessions/{id}/', 'DELETE')] },
    });
    expect(routes).toEqual([
      { method: 'get', path: '/', function: 'page' },
      { method: 'post', path: '/login', function: 'login' },
      { method: 'delete', path: '/sessions/{id}', function: 'remove' },
    ]);
  });

  it('describes each guard by its authorizer function: the pipeline its handler runs, and the limits its environment sets', () => {
    const routes = apiRoutesOf({
      'any-valid-live': { handler: 'authorizers/any-valid.handler', environment: { FRESH_MAX_AGE: '60' } },
      'fresh-only': freshOnly(),
      'fresh-60s': freshOnly({ FRESH_MAX_AGE: '60' }),
      'fresh-strong': freshOnly({ FRESH_REQUIRE_ACR: 'urn:fresh-token:acr:phr', FRESH_MAX_AGE: '' }),
      // As config.ts reads it: 0 is no limit.
      'fresh-unlimited': freshOnly({ FRESH_MAX_AGE: 0 }),
      mine: { handler: 'authorizers/mine.handler' },
      orders: {
        handler: 'functions/orders.handler',
        description: 'Orders',
        events: [
          route('a', 'get', { name: 'any-valid-live', type: 'request' }),
          route('b', 'get', 'fresh-only'),
          route('c', 'get', { name: 'fresh-60s' }),
          route('d', 'get', { name: 'fresh-strong' }),
          route('e', 'get', { name: 'fresh-unlimited' }),
          route('f', 'get', { name: 'mine' }),
        ],
      },
    });
    expect(routes.map((each) => [each.path, each.guard])).toEqual([
      // An any-valid authorizer checks no age, whatever its environment says.
      ['/a', { name: 'any-valid-live', checks: 'any-valid' }],
      ['/b', { name: 'fresh-only', checks: 'fresh-only' }],
      ['/c', { name: 'fresh-60s', checks: 'fresh-only', maxAgeSeconds: 60 }],
      ['/d', { name: 'fresh-strong', checks: 'fresh-only', requireAcr: 'urn:fresh-token:acr:phr' }],
      ['/e', { name: 'fresh-unlimited', checks: 'fresh-only' }],
      ['/f', { name: 'mine', checks: 'other' }],
    ]);
    expect(routes.every((each) => each.description === 'Orders' && each.function === 'orders')).toBe(true);
  });

  it('describes an authorizer that is not a function of this service by its name alone', () => {
    const routes = apiRoutesOf({
      pay: {
        handler: 'functions/pay.handler',
        events: [
          route('imported', 'post', { name: 'fresh-only', arn: { 'Fn::ImportValue': 'other-stack-FreshOnlyAuthorizerArn' } }),
          route('iam', 'post', 'aws_iam'),
          route('cognito', 'post', { type: 'COGNITO_USER_POOLS', authorizerId: 'abc' }),
          route('arn', 'post', 'arn:aws:lambda:eu-west-1:123456789012:function:elsewhere'),
        ],
      },
      'fresh-only': freshOnly(),
    });
    expect(routes.map((each) => [each.path, each.guard])).toEqual([
      ['/arn', { name: 'arn:aws:lambda:eu-west-1:123456789012:function:elsewhere', checks: 'other' }],
      ['/cognito', { name: 'COGNITO_USER_POOLS', checks: 'other' }],
      ['/iam', { name: 'aws_iam', checks: 'other' }],
      ['/imported', { name: 'fresh-only', checks: 'other' }],
    ]);
  });

  it('reads the short form `http: METHOD path`, and ANY as every method', () => {
    const routes = apiRoutesOf({
      status: { handler: 'functions/status.handler', events: [{ http: 'GET status' }, { http: 'any proxy' }] },
    });
    expect(routes.map((each) => `${each.method} ${each.path}`)).toEqual([
      'get /proxy',
      'put /proxy',
      'post /proxy',
      'delete /proxy',
      'options /proxy',
      'head /proxy',
      'patch /proxy',
      'get /status',
    ]);
  });

  it('skips events that are not http, and functions without events', () => {
    expect(apiRoutesOf({ sweep: { handler: 'functions/sweep.handler', events: [{ schedule: 'rate(1 hour)' }] }, idle: {} })).toEqual([]);
  });

  it('refuses an http event it cannot describe, naming the function', () => {
    expect(() => apiRoutesOf({ pay: { events: [route('pay', 'fetch')] } })).toThrow('function pay: http method "fetch"');
    expect(() => apiRoutesOf({ pay: { events: [{ http: { method: 'post' } }] } })).toThrow('function pay: an http event without a path');
  });
});

describe('the routes built into a bundle', () => {
  afterEach(() => {
    delete (globalThis as { FRESH_TOKEN_API_ROUTES?: unknown }).FRESH_TOKEN_API_ROUTES;
  });

  it('are the constant plugins/api-routes.js defines', () => {
    const routes = [{ method: 'get', path: '/me', function: 'me' }];
    Object.assign(globalThis, { FRESH_TOKEN_API_ROUTES: routes });
    expect(builtApiRoutes()).toBe(routes);
  });

  it('are refused, saying why, in a bundle built without the plugin', () => {
    expect(() => builtApiRoutes()).toThrow('built without plugins/api-routes.js');
  });
});
