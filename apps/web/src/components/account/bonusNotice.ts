const KEY = 'lumen.signupBonusWithheld';

/** Set at signup when the bonus was withheld; shown once by the banner, then forgotten. */
export function rememberBonusWithheld(): void {
  sessionStorage.setItem(KEY, '1');
}

export const bonusWithheldNotice = (): boolean => sessionStorage.getItem(KEY) === '1';

export function forgetBonusWithheld(): void {
  sessionStorage.removeItem(KEY);
}
