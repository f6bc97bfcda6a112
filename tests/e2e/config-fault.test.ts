import { expectGatewayResponse } from '../helpers/gateway-response';
import { waitFor } from '../helpers/wait-for';
import { sharedStack } from './shared-stacks';

// A stack whose JWT_SECRET is too short (the badSecret stack).
const api = sharedStack('badSecret');

beforeAll(() => api.ready());

describe('a bad configuration', () => {
  it('stops the functions from starting, naming the variable, instead of answering as if the client erred', async () => {
    const login = await fetch(`${api.baseUrl}/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'test', password: 'test' }),
    });
    expect(login.status).toBeGreaterThanOrEqual(500);
    expect(await login.text()).not.toContain('access_token');
    // The log reaches the file the global setup writes a moment after the answer.
    await waitFor('the variable named in the log', () =>
      api.output().includes('JWT_SECRET must be at least 32 bytes, got 9') ? true : undefined,
    );
  });

  it('makes a broken authorizer API Gateway’s 500 "Internal server error", never a 401, and logs the fault with its stack', async () => {
    const from = api.output().length;
    const response = await fetch(`${api.baseUrl}/protected`, { headers: { Authorization: 'Bearer any.token.here' } });
    expectGatewayResponse(
      { status: response.status, headers: response.headers, text: await response.text() },
      'AUTHORIZER_CONFIGURATION_ERROR',
    );
    // Unlike an expected 401 (one line), a fault is logged whole: the handler, the error, its stack.
    const fault = /Unhandled exception in handler 'any-valid'[\s\S]*JWT_SECRET must be at least 32 bytes[\s\S]*\n\s+at /;
    await waitFor('the fault with its stack in the log', () => (fault.test(api.output().slice(from)) ? true : undefined));
  });
});
