// Docker-specific reading of pull failures. Image names, pull policies and credential matching are
// the pipeline language's (src/spec/compile/image.ts, registry-auth.ts), shared with the compiler.

/** True when a Docker error message says the registry refused the credentials (or asked for some). */
export function isAuthFailure(message: string): boolean {
  return /unauthorized|authentication required|no basic auth credentials|access denied|denied: |incorrect username or password/i.test(
    message,
  );
}
