// Waiting for a container's next exit without a race: the daemon registers the waiter, then sends
// the response headers, and only sends the body when the container exits. So once the headers are
// here, starting the container cannot outrun the wait (dockerode's own wait() only resolves at the
// end, which leaves no way to know the waiter exists before start).
import type Docker from 'dockerode';

/** Exit status as the daemon reports it. */
export interface WaitResult {
  StatusCode: number;
  Error?: { Message?: string } | null;
}

/** Registers a `next-exit` wait on container `id`; resolves once registered, holding the exit promise. */
export async function registerWait(docker: Docker, id: string): Promise<{ exited: Promise<WaitResult> }> {
  const res = await new Promise<NodeJS.ReadableStream>((resolve, reject) => {
    docker.modem.dial(
      {
        path: `/containers/${id}/wait?`,
        method: 'POST',
        options: { condition: 'next-exit' },
        isStream: true,
        statusCodes: { 200: true, 400: 'bad parameter', 404: 'no such container', 500: 'server error' },
      },
      (err: unknown, data: unknown) => (err ? reject(err) : resolve(data as NodeJS.ReadableStream)),
    );
  });
  const exited = new Promise<WaitResult>((resolve, reject) => {
    let body = '';
    res.on('data', (d: Buffer) => {
      body += d.toString();
    });
    res.on('end', () => {
      try {
        resolve(JSON.parse(body) as WaitResult);
      } catch {
        reject(new Error(`unexpected wait response: ${body.slice(0, 200)}`));
      }
    });
    res.on('error', reject);
  });
  exited.catch(() => undefined);
  // Wrapped: an async function returning the bare promise would wait for the exit itself.
  return { exited };
}
