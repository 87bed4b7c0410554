// `commands` → the script a step runs (drone-reference.md §4.3). Docker steps carry it in
// DRONE_SCRIPT and pipe it into /bin/sh (or PowerShell on Windows); exec steps get runner-go's
// plainer script, which the exec engine writes to a file and runs with the step's shell.
import { goQuote } from '../envsubst/quote.js';

const POSIX_OPTIONS = `
if [ ! -z "\${DRONE_NETRC_FILE}" ]; then
\techo $DRONE_NETRC_FILE > $HOME/.netrc
\tchmod 600 $HOME/.netrc
fi

unset DRONE_SCRIPT
unset DRONE_NETRC_MACHINE
unset DRONE_NETRC_USERNAME
unset DRONE_NETRC_PASSWORD
unset DRONE_NETRC_FILE

set -e
`;

const POSIX_TMATE = `
remote_debug() {
\tif [ "$?" -ne "0" ]; then
\t\t/usr/drone/bin/tmate -F
\tfi
}

if [ "\${DRONE_BUILD_DEBUG}" = "true" ]; then
\tif [ ! -z "\${DRONE_TMATE_HOST}" ]; then
\t\techo "set -g tmate-server-host $DRONE_TMATE_HOST" >> $HOME/.tmate.conf
\t\techo "set -g tmate-server-port $DRONE_TMATE_PORT" >> $HOME/.tmate.conf
\t\techo "set -g tmate-server-rsa-fingerprint $DRONE_TMATE_FINGERPRINT_RSA" >> $HOME/.tmate.conf
\t\techo "set -g tmate-server-ed25519-fingerprint $DRONE_TMATE_FINGERPRINT_ED25519" >> $HOME/.tmate.conf

\t\tif [ ! -z "\${DRONE_TMATE_AUTHORIZED_KEYS}" ]; then
\t\t\techo "$DRONE_TMATE_AUTHORIZED_KEYS" > $HOME/.tmate.authorized_keys
\t\t\techo "set -g tmate-authorized-keys \\"$HOME/.tmate.authorized_keys\\"" >> $HOME/.tmate.conf
\t\tfi
\tfi
\ttrap remote_debug EXIT
fi
`;

const POWERSHELL_OPTIONS = `
if ($Env:DRONE_NETRC_MACHINE) {
@"
machine $Env:DRONE_NETRC_MACHINE
login $Env:DRONE_NETRC_USERNAME
password $Env:DRONE_NETRC_PASSWORD
"@ > (Join-Path $Env:USERPROFILE '.netrc');
}
[Environment]::SetEnvironmentVariable("DRONE_NETRC_USERNAME", $null);
[Environment]::SetEnvironmentVariable("DRONE_NETRC_PASSWORD", $null);
[Environment]::SetEnvironmentVariable("DRONE_NETRC_USERNAME", $null);
[Environment]::SetEnvironmentVariable("DRONE_NETRC_PASSWORD", $null);
[Environment]::SetEnvironmentVariable("DRONE_SCRIPT", $null);

$erroractionpreference = "stop"
`;

/** The trace line's argument: the command Go-quoted with `$` escaped, so echo prints it literally. */
export function traceArg(command: string): string {
  return goQuote(command).replaceAll('$', '\\$');
}

function posixTrace(commands: string[]): string {
  return commands.map((c) => `\necho + ${traceArg(c)}\n${c}\n`).join('');
}

function powershellTrace(commands: string[]): string {
  return commands
    .map(
      (c) =>
        `\necho ${goQuote(`+ ${c}`).replaceAll('$', '`$')}\n${c}\nif ($LastExitCode -gt 0) { exit $LastExitCode }\n`,
    )
    .join('');
}

/** The docker runner's POSIX script: netrc preamble, `set -e`, tmate debug hook, traced commands. */
export function posixScript(commands: string[]): string {
  return `\n${POSIX_OPTIONS}${POSIX_TMATE}\n${posixTrace(commands)}`;
}

/** The docker runner's PowerShell script for Windows containers. */
export function powershellScript(commands: string[]): string {
  return `\n${POWERSHELL_OPTIONS}\n${powershellTrace(commands)}`;
}

/** The exec runner's POSIX script (runner-go `shell/bash`): `set -e` and traced commands. */
export function execPosixScript(commands: string[]): string {
  return `\nset -e\n${posixTrace(commands)}`;
}

/** The exec runner's PowerShell script (runner-go `shell/powershell`). */
export function execPowershellScript(commands: string[]): string {
  return `\n$erroractionpreference = "stop"\n${powershellTrace(commands)}`;
}

/** Entrypoint, command and environment a docker step with `commands` runs with. */
export function dockerScriptSetup(
  commands: string[],
  os: string,
): { entrypoint: string[]; command: string[]; env: Record<string, string> } {
  if (os === 'windows') {
    return {
      entrypoint: ['powershell', '-noprofile', '-noninteractive', '-command'],
      command: ['echo $Env:DRONE_SCRIPT | iex'],
      env: { DRONE_SCRIPT: powershellScript(commands), SHELL: 'powershell.exe' },
    };
  }
  return {
    entrypoint: ['/bin/sh', '-c'],
    command: ['echo "$DRONE_SCRIPT" | /bin/sh'],
    env: { DRONE_SCRIPT: posixScript(commands) },
  };
}
