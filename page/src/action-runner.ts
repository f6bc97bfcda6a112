import {
  ClientError,
  PasskeyCeremonyError,
  SignedOutError,
  StepUpCancelledError,
  StepUpFailedError,
  type StepUpAnswer,
  type StepUpChallenge,
} from 'fresh-token-lambda/client';
import type { AnswerLog } from './answer-log.ts';
import { say } from './say.ts';
import type { StepUpPrompt } from './step-up-prompt.ts';
import type { TokenCard } from './token-card.ts';

/** The `acr` a route names when only a passkey will do (`acr_values`). */
const PASSKEY_ACR = 'urn:fresh-token:acr:phr';

/** What a button of the page does, as far as saying its outcome goes. */
export interface Action {
  /** Where its outcome is said; the raw answer of a refusal goes behind `#<its id>-raw`. */
  readonly where: HTMLElement;
  /** What needs a fresh token, in words: "changing your e-mail" (when the route asks for a step-up). */
  readonly need: string;
  /** Said when the user cancels the step-up: what did not happen. */
  readonly cancelled: string;
  /** Said when the server refused the call (its `msg`), in the page's words. */
  readonly refused: (msg: string) => string;
}

interface Run {
  readonly action: Action;
  /** Where the answer log was when the action began. */
  readonly mark: number;
  /** Another action began while this one waited on its step-up prompt: it ends without a word. */
  superseded: boolean;
}

/**
 * Runs the page's actions through the client, and is the client's `onStepUp`: a route that wants a
 * fresh token gets its refusal said in plain words where the user looks, then the password or
 * passkey prompt; the client proves the answer and sends the call again. Starting another action
 * closes a prompt still open (the action that asked ends quietly). A cancel, a refused proof or any
 * other failure is said once; nothing is sent again by the page.
 */
export class ActionRunner {
  private active: Run | undefined;

  constructor(
    private readonly answers: AnswerLog,
    private readonly prompt: StepUpPrompt,
    private readonly card: TokenCard,
  ) {}

  /** The client's `onStepUp`. */
  readonly onStepUp = (challenge: StepUpChallenge): Promise<StepUpAnswer> => {
    const run = this.active;
    const passkey = challenge.acrValues.includes(PASSKEY_ACR);
    const where = run?.action.where;
    if (!run || !where) return Promise.resolve(null);
    const near = document.getElementById(`${where.id}-raw`) ?? where;
    return this.prompt.ask(passkey, near, () =>
      say(
        where,
        passkey
          ? `Refused: ${run.action.need} needs a fresh token from your passkey; a password is not enough.`
          : `Refused: ${run.action.need} needs a fresh token. Prove your password again.`,
        false,
        this.answers.refusalSince(run.mark),
      ),
    );
  };

  /** Runs `body` as `action`: its failures said where the action says things, the token card kept up to date. */
  async run(action: Action, body: () => Promise<void>): Promise<void> {
    if (this.prompt.open && this.active) this.active.superseded = true;
    this.prompt.close();
    const run: Run = { action, mark: this.answers.mark(), superseded: false };
    this.active = run;
    let keepPrompt = false;
    try {
      await body();
    } catch (err) {
      if (!(err instanceof ClientError)) throw err;
      if (!run.superseded) keepPrompt = this.explain(run, err, body);
    } finally {
      if (this.active === run && !keepPrompt) this.prompt.close();
      if (this.active === run) this.prompt.forgetPreset();
      await this.card.loadIfChanged();
    }
  }

  /** Says why `run` failed with `err`; true when the prompt stays open for another password. */
  private explain(run: Run, err: ClientError, body: () => Promise<void>): boolean {
    const { where, cancelled, refused } = run.action;
    const refusal = this.answers.refusalSince(run.mark);
    if (err instanceof StepUpCancelledError) {
      say(where, cancelled, false);
    } else if (err instanceof StepUpFailedError && refusal?.path === '/fresh-login') {
      if (this.answers.successSince(run.mark, 'POST', '/fresh-login/passkey/options')) {
        say(where, `Refused: that passkey did not prove it is you (${err.msg}).`, false, refusal);
        return false;
      }
      this.prompt.refused(err.msg, {
        again: () => void this.run(run.action, body),
        cancel: () => say(where, cancelled, false),
      });
      return true;
    } else if (err instanceof PasskeyCeremonyError) {
      say(where, `No passkey used: ${err.msg}`, false);
    } else if (err instanceof SignedOutError) {
      say(where, `Refused: your session has ended (${err.msg}). Log in again.`, false, refusal);
    } else {
      say(where, refused(err.msg), false, refusal);
    }
    return false;
  }
}
