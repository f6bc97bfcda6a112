import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { lambdaContext } from './events';

type Handler = (event: APIGatewayProxyEvent, context: ReturnType<typeof lambdaContext>) => Promise<APIGatewayProxyResult>;

/** The HTTP handlers, imported after `useEnvironment` so they read the test configuration. */
export async function importHandlers() {
  return {
    login: (await import('../../functions/login')).handler,
    freshLogin: (await import('../../functions/fresh-login')).handler,
    refresh: (await import('../../functions/refresh')).handler,
    logout: (await import('../../functions/logout')).handler,
    protectedRoute: (await import('../../functions/protected')).handler,
    protectedFresh: (await import('../../functions/protected-fresh')).handler,
  };
}

/** Calls a handler and parses its JSON body. */
export async function call(run: Handler, event: APIGatewayProxyEvent) {
  const response = await run(event, lambdaContext());
  return { ...response, json: JSON.parse(response.body) as Record<string, unknown> };
}
