import type { StepUpAnswer } from 'fresh-token-lambda/client';
import { byId } from './dom.ts';
import { say } from './say.ts';

/** Whether this browser can run a passkey ceremony at all. */
export const canUsePasskeys = (): boolean => typeof PublicKeyCredential === 'function';

/**
 * The page's two step-up prompts: "Prove your password again" (#reauth) and "Step up with your
 * passkey" (#stepup). The client's `onStepUp` opens one and waits for the user: a password, the
 * passkey button, or Cancel. The prompt stays open, its buttons disabled, while the client proves
 * the answer; the page closes it when the action is done, or says a refused password in it.
 */
export class StepUpPrompt {
  private readonly reauth = byId('reauth', HTMLElement);
  private readonly reauthForm = byId('reauth-form', HTMLFormElement);
  private readonly password = byId('reauth-password', HTMLInputElement);
  private readonly passwordButton = byId('fresh-login', HTMLButtonElement);
  private readonly reauthMessage = byId('reauth-message', HTMLElement);
  private readonly stepup = byId('stepup', HTMLElement);
  private readonly passkeyButton = byId('step-up-passkey', HTMLButtonElement);
  /** Resolves the `ask` the user has yet to answer. */
  private pending: ((answer: StepUpAnswer) => void) | undefined;
  /** After a refused password: what the next password or Cancel does (the action's call has ended). */
  private afterRefusal: { readonly again: () => void; readonly cancel: () => void } | undefined;
  /** The answer for the next `ask`, given before it came (the password typed after a refusal). */
  private preset: StepUpAnswer | undefined;

  constructor(private readonly cannotUsePasskeys: () => void) {
    this.reauthForm.addEventListener('submit', (event) => {
      event.preventDefault();
      const answer = { password: this.password.value };
      this.password.value = '';
      this.reauthMessage.hidden = true;
      if (this.pending) return this.answer(answer);
      const after = this.afterRefusal;
      if (!after) return;
      this.afterRefusal = undefined;
      this.preset = answer;
      this.busy(true);
      after.again();
    });
    this.passkeyButton.addEventListener('click', () => {
      if (!canUsePasskeys()) return this.cannotUsePasskeys();
      this.answer({ passkey: true });
    });
    for (const id of ['reauth-cancel', 'step-up-cancel'])
      byId(id, HTMLButtonElement).addEventListener('click', () => {
        const after = this.afterRefusal;
        this.close();
        after?.cancel();
      });
  }

  /**
   * Asks the user to prove themselves again: with a passkey when `passkey`, else with the password in
   * the prompt opened right after `near` (where the refusal was said); `opening` runs just before it
   * opens (not when the answer was already typed, after a refused password). Resolves as `onStepUp` does.
   */
  ask(passkey: boolean, near: Element, opening: () => void): Promise<StepUpAnswer> {
    const preset = this.preset;
    this.preset = undefined;
    if (preset !== undefined) return Promise.resolve(preset);
    this.answer(null);
    this.afterRefusal = undefined;
    opening();
    this.busy(false);
    this.reauthMessage.hidden = true;
    const prompt = passkey ? this.stepup : this.reauth;
    (passkey ? this.reauth : this.stepup).hidden = true;
    if (!passkey) near.after(this.reauth);
    prompt.hidden = false;
    // The whole prompt in sight (on a phone it may open below the fold), then its field or button.
    prompt.scrollIntoView({ block: 'nearest' });
    (passkey ? this.passkeyButton : this.password).focus({ preventScroll: true });
    return new Promise((resolve) => {
      this.pending = resolve;
    });
  }

  /** Whether the user has yet to answer a prompt. */
  get open(): boolean {
    return this.pending !== undefined;
  }

  /**
   * The password was refused and the action's call has ended: says so in the prompt, open again. The
   * next password runs `again` (the action, answered with it); Cancel runs `cancel`.
   */
  refused(msg: string, after: { readonly again: () => void; readonly cancel: () => void }): void {
    this.afterRefusal = after;
    this.busy(false);
    this.stepup.hidden = true;
    this.reauth.hidden = false;
    say(this.reauthMessage, `Password refused: ${msg}`, false);
    this.password.focus({ preventScroll: true });
  }

  /** Closes the prompts; a question still open is answered `null` (cancelled). */
  close(): void {
    this.answer(null);
    this.afterRefusal = undefined;
    this.busy(false);
    this.reauth.hidden = true;
    this.stepup.hidden = true;
  }

  /** Drops a password typed after a refusal that no step-up took (the action ran without one). */
  forgetPreset(): void {
    this.preset = undefined;
  }

  private answer(answer: StepUpAnswer): void {
    const pending = this.pending;
    this.pending = undefined;
    if (answer !== null) this.busy(true);
    pending?.(answer);
  }

  /** While the client proves an answer, the prompt's buttons wait. */
  private busy(busy: boolean): void {
    this.passwordButton.disabled = busy;
    this.passkeyButton.disabled = busy;
    this.reauth.setAttribute('aria-busy', String(busy));
    this.stepup.setAttribute('aria-busy', String(busy));
  }
}
