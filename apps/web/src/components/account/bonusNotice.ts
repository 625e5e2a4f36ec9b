const KEY = 'lumen.signupBonusWithheld';

/** Set at signup when the bonus was withheld; read (and cleared) once by the banner. */
export function rememberBonusWithheld(): void {
  sessionStorage.setItem(KEY, '1');
}

export function takeBonusWithheldNotice(): boolean {
  const set = sessionStorage.getItem(KEY) === '1';
  sessionStorage.removeItem(KEY);
  return set;
}
