// A runner process that dies between accepting a stage and starting it: it long-polls a Hangar
// server over RPC v2 for a docker stage, accepts what it gets, prints `accepted <id>` and then
// does nothing until it is killed — no details, no report, no watch: the server hears no more.
// Usage: node --import tsx accept-child.ts BASE_URL SECRET MACHINE
const [base, secret, machine] = process.argv.slice(2);
if (!base || !secret || !machine) {
  process.stderr.write('usage: accept-child.ts BASE_URL SECRET MACHINE\n');
  process.exit(2);
}
const headers = { 'X-Drone-Token': secret, 'X-Hangar-Runner': `${machine}/child` };
const filter = { kind: 'pipeline', type: 'docker', os: 'linux', arch: 'amd64', variant: '', kernel: '' };

for (;;) {
  const res = await fetch(`${base}/rpc/v2/stage?machine=${machine}`, {
    method: 'POST',
    headers,
    body: JSON.stringify(filter),
  });
  if (res.status === 204) continue;
  if (res.status !== 200) throw new Error(`poll: ${res.status} ${await res.text()}`);
  const stage = (await res.json()) as { id: number };
  const accepted = await fetch(`${base}/rpc/v2/stage/${stage.id}?machine=${machine}`, {
    method: 'POST',
    headers,
  });
  if (accepted.status === 409) continue;
  if (accepted.status !== 200) throw new Error(`accept: ${accepted.status} ${await accepted.text()}`);
  process.stdout.write(`accepted ${stage.id}\n`);
  break;
}
setInterval(() => {}, 60_000);
