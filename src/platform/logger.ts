import { Logger } from '@aws-lambda-powertools/logger';

/** Structured attributes of one log line. Never a token, a password, a hash or a raw event. */
type Attributes = Record<string, unknown>;

let powertools: Logger | undefined;

/**
 * Powertools Logger, built on the first line actually written. Building it (and the stdout
 * stream it opens) is most of an authorizer's cold start, and an authorizer that only allows
 * writes nothing at the default level; measured in `npm run bench`.
 */
function instance(): Logger {
  powertools ??= new Logger({ serviceName: 'fresh-token-lambda' });
  return powertools;
}

/**
 * Debug lines are wanted only when Powertools' own level variables ask for them; checking them
 * here (Powertools reads the same ones) keeps the Allow path from building the logger to find out.
 */
const debugRequested = /^(trace|debug)$/i.test(process.env.POWERTOOLS_LOG_LEVEL ?? process.env.LOG_LEVEL ?? '');

/**
 * The product's structured JSON logger (Powertools Logger, level from POWERTOOLS_LOG_LEVEL).
 */
export const logger = {
  debug(message: string, attributes?: Attributes): void {
    if (powertools !== undefined || debugRequested) instance().debug(message, attributes ?? {});
  },
  info(message: string, attributes?: Attributes): void {
    instance().info(message, attributes ?? {});
  },
  warn(message: string, attributes?: Attributes): void {
    instance().warn(message, attributes ?? {});
  },
  error(message: string, attributes?: Attributes): void {
    instance().error(message, attributes ?? {});
  },
  /**
   * Builds the logger now, at cold start: for functions that write a line on every request, where
   * building it lazily would only move the cost into the first request.
   */
  prepare(): void {
    instance();
  },
  /** Adds the Lambda context (function name, request id) to the lines of this invocation. */
  addContext: (...args: Parameters<Logger['addContext']>): void => instance().addContext(...args),
  /** For tests: changes the level at run time. */
  setLogLevel: (...args: Parameters<Logger['setLogLevel']>): void => instance().setLogLevel(...args),
};
