/**
 * fresh-token-lambda/client: the client half of the fresh-token pattern, for browsers and Node.
 * See docs/client.md.
 */
export { createClient } from './create-client.ts';
export {
  ClientError,
  HttpError,
  InvalidArgumentError,
  NetworkError,
  PasskeyCeremonyError,
  SignedOutError,
  StepUpCancelledError,
  StepUpFailedError,
  UnexpectedAnswerError,
  type ClientErrorCode,
} from './errors.ts';
export type * from './types.ts';
export type { components, operations, paths } from './openapi-types.ts';
