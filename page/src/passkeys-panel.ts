import { PasskeyCeremonyError, type Client } from 'fresh-token-lambda/client';
import type { ActionRunner } from './action-runner.ts';
import { byId } from './dom.ts';
import { say } from './say.ts';
import { canUsePasskeys } from './step-up-prompt.ts';

/** Step 4, "Add a passkey": registering one (a fresh-only route), listing and removing them. */
export class PasskeysPanel {
  private readonly result = byId('passkeys-result', HTMLElement);
  private readonly list = byId('passkeys', HTMLUListElement);

  constructor(
    private readonly client: Client,
    private readonly runner: ActionRunner,
  ) {
    const adding = {
      where: this.result,
      need: 'adding a passkey',
      cancelled: 'Cancelled: no passkey was added (that needs a fresh token).',
      refused: (msg: string) => `Refused: passkey not added (${msg}).`,
    };
    const listing = {
      where: this.result,
      need: 'listing your passkeys',
      cancelled: 'Cancelled: no list of passkeys.',
      refused: (msg: string) => `Refused: no list of passkeys (${msg}).`,
    };
    byId('add-passkey', HTMLButtonElement).addEventListener('click', () => void this.runner.run(adding, () => this.add()));
    byId('load-passkeys', HTMLButtonElement).addEventListener('click', () => void this.runner.run(listing, () => this.load()));
  }

  private async add(): Promise<void> {
    if (!canUsePasskeys()) return say(this.result, 'This browser cannot use passkeys here.', false);
    try {
      await this.client.passkeys.add({ name: 'This browser' });
    } catch (err) {
      if (!(err instanceof PasskeyCeremonyError)) throw err;
      return say(this.result, `No passkey made: ${err.msg}`, false);
    }
    say(this.result, 'Passkey added. "Send money" can now step up with it.', true);
    await this.load();
  }

  private async load(): Promise<void> {
    const { passkeys } = await this.client.passkeys.list();
    this.list.replaceChildren(
      ...passkeys.map((passkey) => {
        const item = document.createElement('li');
        const used = passkey.last_used_at ? `last used ${new Date(passkey.last_used_at).toLocaleString()}` : 'never used';
        item.textContent = `${passkey.name}${passkey.backed_up ? ' (synced), ' : ', '}${used} `;
        const remove = document.createElement('button');
        remove.type = 'button';
        remove.className = 'secondary remove-passkey';
        remove.textContent = 'Remove';
        remove.setAttribute('aria-label', `Remove ${passkey.name}`);
        const removing = {
          where: this.result,
          need: 'removing a passkey',
          cancelled: 'Cancelled: the passkey was not removed (that needs a fresh token).',
          refused: (msg: string) => `Could not remove it: ${msg}`,
        };
        remove.addEventListener(
          'click',
          () =>
            void this.runner.run(removing, async () => {
              await this.client.passkeys.remove(passkey.id);
              say(this.result, 'Passkey removed.', true);
              await this.load();
            }),
        );
        item.append(remove);
        return item;
      }),
    );
  }
}
