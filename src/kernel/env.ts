// The environment of the Python process: the user's environment minus anything that looks like a secret,
// plus the few variables the runner relies on. Applies on every platform, sandboxed or not.

/** Variable names that must never reach generated code (API keys, tokens, passwords, credential files). */
export const SECRET_NAME = /KEY|SECRET|TOKEN|PASS|CREDENTIAL|AUTH/i;

/**
 * Values that carry a credential whatever the variable is called: a URL with a user:password@ part
 * (DATABASE_URL=postgres://u:p@h/db), a connection string with Password=/pwd=, or a well-known token format.
 */
export const SECRET_VALUE = new RegExp(
  [
    String.raw`[a-z][a-z0-9+.-]*://[^\s/@:]*:[^\s/@]+@`, // scheme://user:password@
    String.raw`(^|[;\s])(password|pwd)\s*=`, // ODBC/ADO style
    String.raw`^(sk-[A-Za-z0-9_-]{16,}|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_\w{20,}|glpat-[\w-]{20,}|xox[abposr]-[\w-]{10,}|AKIA[0-9A-Z]{16}|AIza[\w-]{30,})$`,
  ].join('|'),
  'i',
);

export const looksSecret = (name: string, value: string): boolean => SECRET_NAME.test(name) || SECRET_VALUE.test(value);

export function kernelEnv(base: NodeJS.ProcessEnv = process.env, extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const source of [base, extra ?? {}]) {
    for (const [name, value] of Object.entries(source)) {
      if (value === undefined || looksSecret(name, value)) continue;
      env[name] = value;
    }
  }
  env.PYTHONUNBUFFERED = '1';
  env.PYTHONIOENCODING = 'utf-8';
  env.PYTHONDONTWRITEBYTECODE = '1';
  // Charts render off-screen; the runner also forces Agg, this covers subprocesses.
  env.MPLBACKEND = 'Agg';
  return env;
}
