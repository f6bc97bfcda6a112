/**
 * Stepping up (RFC 9470): ask the app's `onStepUp`, prove the user with what it answers (the
 * password, or a passkey through the browser's WebAuthn ceremony), and take the fresh token
 * `/fresh-login` gives within the same session. Calls that meet the same challenge at once share
 * one step-up, so the user is asked once.
 */
import { InvalidArgumentError, PasskeyCeremonyError, SignedOutError, StepUpCancelledError } from './errors.ts';
import type { Proof } from './session.ts';
import type { PasskeyCeremonies, StepUpAnswer, StepUpChallenge, WebAuthnOptionsJSON } from './types.ts';

export interface StepUpDeps {
  readonly onStepUp: ((challenge: StepUpChallenge) => StepUpAnswer | Promise<StepUpAnswer>) | undefined;
  /** Whether there is a session to step up in. */
  readonly signedIn: () => boolean;
  /** The user, for a password proof (asked of the server when the client does not know it). */
  readonly username: () => Promise<string>;
  /** The step-up's request options (`POST /fresh-login/passkey/options`). */
  readonly passkeyOptions: () => Promise<WebAuthnOptionsJSON>;
  readonly ceremonies: () => Promise<PasskeyCeremonies>;
  /** `POST /fresh-login` within the session. */
  readonly freshLogin: (proof: Proof) => Promise<void>;
}

/** Whether the app's answer is one of the three it may give. */
function isAnswer(answer: unknown): answer is StepUpAnswer {
  if (answer === null) return true;
  if (typeof answer !== 'object') return false;
  const { password, passkey } = answer as { password?: unknown; passkey?: unknown };
  return typeof password === 'string' || passkey === true;
}

/**
 * The step-up: resolves once the session holds a fresh token. Error codes: ERR_STEP_UP_CANCELLED
 * (the app answered null, or has no `onStepUp`), ERR_STEP_UP_FAILED (`/fresh-login` refused the
 * proof), ERR_PASSKEY_CEREMONY, ERR_SIGNED_OUT, ERR_INVALID_ARGUMENT (an answer of another shape).
 */
export function createStepUp(deps: StepUpDeps): (challenge: StepUpChallenge, refusal: string) => Promise<void> {
  const inFlight = new Map<string, Promise<void>>();

  const stepUp = async (challenge: StepUpChallenge, refusal: string): Promise<void> => {
    if (!deps.onStepUp) throw new StepUpCancelledError(401, refusal);
    if (!deps.signedIn()) throw new SignedOutError(401, refusal);
    const answer: unknown = await deps.onStepUp(challenge);
    if (!isAnswer(answer)) throw new InvalidArgumentError('onStepUp must resolve to { password }, { passkey: true } or null');
    if (answer === null) throw new StepUpCancelledError(401, refusal);
    if ('password' in answer) {
      await deps.freshLogin({ username: await deps.username(), password: answer.password });
      return;
    }
    const optionsJSON = await deps.passkeyOptions();
    const ceremonies = await deps.ceremonies();
    let credential;
    try {
      credential = await ceremonies.startAuthentication({ optionsJSON });
    } catch (err) {
      throw new PasskeyCeremonyError(err);
    }
    await deps.freshLogin({ passkey: credential });
  };

  return (challenge, refusal) => {
    const key = `${challenge.acrValues.join(' ')}|${challenge.maxAge ?? ''}`;
    let flight = inFlight.get(key);
    if (!flight) {
      flight = stepUp(challenge, refusal).finally(() => inFlight.delete(key));
      inFlight.set(key, flight);
    }
    return flight;
  };
}
