import type { ApiRoute } from '../src/http/api-routes';

declare global {
  /**
   * The routes of serverless.yml, put into the bundles as a constant by plugins/api-routes.js
   * (esbuild `define`); undefined outside a bundle (a test sets it where it needs it).
   */
  const FRESH_TOKEN_API_ROUTES: readonly ApiRoute[] | undefined;
}
