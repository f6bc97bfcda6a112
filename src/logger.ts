import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The product's structured JSON logger. Level comes from POWERTOOLS_LOG_LEVEL (read by
 * Powertools itself). Never pass it a token, a password, a hash or a raw event.
 */
export const logger = new Logger({ serviceName: 'fresh-token-lambda' });
