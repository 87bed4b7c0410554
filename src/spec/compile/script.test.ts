import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  dockerScriptSetup,
  execPosixScript,
  execPowershellScript,
  posixScript,
  powershellScript,
  traceArg,
} from './script.js';

test('§4.3 example: trace lines print each command literally before running it', () => {
  const s = posixScript(['go build', 'echo $HOME']);
  assert.ok(s.endsWith('\necho + "go build"\ngo build\n\necho + "echo \\$HOME"\necho $HOME\n'), s);
});

test('posix script layout: netrc preamble, unsets, set -e, tmate hook, then commands', () => {
  const s = posixScript(['true']);
  assert.ok(
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell syntax, not a template
    s.startsWith('\n\nif [ ! -z "${DRONE_NETRC_FILE}" ]; then\n\techo $DRONE_NETRC_FILE > $HOME/.netrc\n'),
  );
  const order = [
    'chmod 600 $HOME/.netrc',
    'unset DRONE_SCRIPT',
    'unset DRONE_NETRC_MACHINE',
    'unset DRONE_NETRC_USERNAME',
    'unset DRONE_NETRC_PASSWORD',
    'unset DRONE_NETRC_FILE',
    '\nset -e\n',
    'remote_debug() {',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell syntax, not a template
    'if [ "${DRONE_BUILD_DEBUG}" = "true" ]; then',
    'trap remote_debug EXIT',
    '\necho + "true"\ntrue\n',
  ];
  let at = 0;
  for (const part of order) {
    const i = s.indexOf(part, at);
    assert.ok(i >= at, `missing or out of order: ${part}`);
    at = i + part.length;
  }
  assert.equal(posixScript([]), posixScript(['x']).replace('\necho + "x"\nx\n', ''));
});

test('trace argument: Go-quoted, $ escaped, quotes and backslashes kept printable', () => {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: shell syntax, not a template
  assert.equal(traceArg('echo "${A:-b}" \\ `x`'), '"echo \\"\\${A:-b}\\" \\\\ `x`"');
  assert.equal(traceArg('multi\nline'), '"multi\\nline"');
  assert.equal(traceArg("it's"), '"it\'s"');
});

test('exec scripts (runner-go shell/bash and shell/powershell)', () => {
  assert.equal(
    execPosixScript(['go build', 'go test']),
    '\nset -e\n\necho + "go build"\ngo build\n\necho + "go test"\ngo test\n',
  );
  assert.equal(
    execPowershellScript(['echo $Env:X']),
    '\n$erroractionpreference = "stop"\n\necho "+ echo `$Env:X"\necho $Env:X\nif ($LastExitCode -gt 0) { exit $LastExitCode }\n',
  );
});

test('docker setup: /bin/sh pipe on Linux, PowerShell on Windows', () => {
  const linux = dockerScriptSetup(['make'], 'linux');
  assert.deepEqual(linux.entrypoint, ['/bin/sh', '-c']);
  assert.deepEqual(linux.command, ['echo "$DRONE_SCRIPT" | /bin/sh']);
  assert.equal(linux.env.DRONE_SCRIPT, posixScript(['make']));
  assert.equal(linux.env.SHELL, undefined);
  const win = dockerScriptSetup(['dir'], 'windows');
  assert.deepEqual(win.entrypoint, ['powershell', '-noprofile', '-noninteractive', '-command']);
  assert.deepEqual(win.command, ['echo $Env:DRONE_SCRIPT | iex']);
  assert.equal(win.env.SHELL, 'powershell.exe');
  assert.equal(win.env.DRONE_SCRIPT, powershellScript(['dir']));
  const ps = powershellScript(['dir']);
  assert.ok(ps.includes("\"@ > (Join-Path $Env:USERPROFILE '.netrc');"));
  assert.ok(ps.includes('[Environment]::SetEnvironmentVariable("DRONE_SCRIPT", $null);'));
  assert.ok(
    ps.endsWith(
      '\n$erroractionpreference = "stop"\n\n\necho "+ dir"\ndir\nif ($LastExitCode -gt 0) { exit $LastExitCode }\n',
    ),
  );
});
