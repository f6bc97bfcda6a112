import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { lambdaContext } from './events';

type Handler = (event: APIGatewayProxyEvent, context: ReturnType<typeof lambdaContext>) => Promise<APIGatewayProxyResult>;

/** The HTTP handlers, imported after `useEnvironment` so they read the test configuration. */
export async function importHandlers() {
  return {
    login: (await import('../../functions/login')).handler as Handler,
    freshLogin: (await import('../../functions/fresh-login')).handler as Handler,
    refresh: (await import('../../functions/refresh')).handler as Handler,
    logout: (await import('../../functions/logout')).handler as Handler,
    protectedRoute: (await import('../../functions/protected')).handler as Handler,
    protectedFresh: (await import('../../functions/protected-fresh')).handler as Handler,
  };
}

/** Calls a handler and parses its JSON body. */
export async function call(run: Handler, event: APIGatewayProxyEvent) {
  const response = await run(event, lambdaContext());
  return { ...response, json: JSON.parse(response.body) as Record<string, unknown> };
}
