// The environment of the Python process: the user's environment minus anything that looks like a secret,
// plus the few variables the runner relies on.

/** Variable names that must never reach generated code (API keys, tokens, passwords, credential files). */
export const SECRET_NAME = /KEY|SECRET|TOKEN|PASSWORD|PASSWD|CREDENTIAL/i;

export function kernelEnv(base: NodeJS.ProcessEnv = process.env, extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const source of [base, extra ?? {}]) {
    for (const [name, value] of Object.entries(source)) {
      if (value === undefined || SECRET_NAME.test(name)) continue;
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
