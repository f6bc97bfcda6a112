import { readPasswordChange } from '../../../src/http/account-bodies';
import { readCredentials } from '../../../src/http/credentials';
import { passwordProblem } from '../../../src/users/password-policy';
import { thrownCode } from '../../helpers/error-code';

// One definition of a password's length (code points of its NFKC form, the string scrypt hashes)
// in the policy, at login and fresh login, and for current_password: a password the policy
// accepts can always be used.

const EMOJI_AND_ABC = '😀'.repeat(600) + 'abc'; // 603 characters, 1203 UTF-16 units
const context = { username: 'alice' };
const atLogin = (password: string) => thrownCode(() => readCredentials({ username: 'alice', password }));
const asCurrent = (password: string) =>
  thrownCode(() => readPasswordChange({ current_password: password, new_password: 'whatever-new-1' }));

describe('a password’s length', () => {
  it('is counted alike by the policy, the login body and current_password: 600 emoji and "abc" pass all three', () => {
    expect(passwordProblem(EMOJI_AND_ABC, context)).toBeUndefined();
    expect(atLogin(EMOJI_AND_ABC)).toBe('none');
    expect(asCurrent(EMOJI_AND_ABC)).toBe('none');
  });

  it.each([
    ['1024 letters', 'x'.repeat(1024), true],
    ['1025 letters', 'x'.repeat(1025), false],
    ['1024 emoji', '😀'.repeat(1024), true],
    ['1025 emoji', '😀'.repeat(1025), false],
    ['1025 code points that compose to 1024 characters', 'e\u0301' + 'x'.repeat(1023), true],
  ])('draws the 1024 limit at the same place everywhere: %s', (_, password, accepted) => {
    const policy = passwordProblem(password, context) === undefined;
    const login = atLogin(password) === 'none';
    const current = asCurrent(password) === 'none';
    expect({ policy, login, current }).toEqual({ policy: accepted, login: accepted, current: accepted });
  });
});
