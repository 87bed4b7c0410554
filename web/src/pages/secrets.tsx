// Repository and organization secrets: list, create, replace the value, allow for pull requests,
// delete. Values are write-only: the API never returns them and the page never shows them again
// (the value field is emptied as soon as the server has it).
import { type FormEvent, useState } from 'react';
import { Link, useParams } from 'react-router';
import { ActionError, accessError, ErrorView } from '../components/errors.js';
import { useLoad } from '../hooks.js';
import type { SecretInput } from '../lib/api.js';
import type { Secret } from '../lib/types.js';
import { urls } from '../lib/urls.js';
import { useSession } from '../session.js';
import { useRepo } from './repo.js';

interface SecretsApi {
  list(): Promise<Secret[]>;
  create(input: { name: string; data: string; pull_request: boolean }): Promise<Secret>;
  update(name: string, input: SecretInput): Promise<Secret>;
  remove(name: string): Promise<void>;
}

const NAME = /^[a-zA-Z0-9_.-]+$/;

/** `/:owner/:name/secrets`. */
export function RepoSecretsPage() {
  const { api, user } = useSession();
  const { owner, name, repo } = useRepo();
  if (!repo.permissions?.write) return <ErrorView error={accessError(!!user)} />;
  const source: SecretsApi = {
    list: () => api.secrets(owner, name),
    create: (input) => api.createSecret(owner, name, input),
    update: (secret, input) => api.updateSecret(owner, name, secret, input),
    remove: (secret) => api.deleteSecret(owner, name, secret),
  };
  return (
    <>
      <p className="small muted">
        Secrets of {repo.slug} reach its pipelines as <code>from_secret</code> values. Secrets shared by every
        repository of {repo.namespace} are its{' '}
        <Link to={urls.orgSecrets(repo.namespace)}>organization secrets</Link>.
      </p>
      <SecretsEditor source={source} scope={`repo:${repo.slug}`} />
    </>
  );
}

/** `/orgs/:namespace/secrets`. */
export function OrgSecretsPage() {
  const { namespace = '' } = useParams();
  const { api } = useSession();
  const source: SecretsApi = {
    list: () => api.orgSecrets(namespace),
    create: (input) => api.createOrgSecret(namespace, input),
    update: (secret, input) => api.updateOrgSecret(namespace, secret, input),
    remove: (secret) => api.deleteOrgSecret(namespace, secret),
  };
  return (
    <>
      <h1>Organization secrets of {namespace}</h1>
      <p className="small muted">
        Every repository of {namespace} can use these. Org admins may change them.
      </p>
      <SecretsEditor source={source} scope={`org:${namespace}`} />
    </>
  );
}

function SecretsEditor({ source, scope }: { source: SecretsApi; scope: string }) {
  // `scope` names what `source` reads.
  const secrets = useLoad(() => source.list(), [scope]);
  const [editing, setEditing] = useState<string>();
  const [error, setError] = useState<unknown>();

  if (secrets.error && !secrets.data)
    return <ErrorView error={secrets.error} retry={() => void secrets.reload()} />;

  const remove = async (s: Secret) => {
    if (!window.confirm(`Delete the secret ${s.name}? Pipelines using it will fail.`)) return;
    setError(undefined);
    try {
      await source.remove(s.name);
      await secrets.reload();
    } catch (err) {
      setError(err);
    }
  };

  const list = secrets.data ?? [];
  return (
    <>
      <ActionError error={error} />
      <div className="panel table-wrap">
        {secrets.loading && !secrets.data ? (
          <p className="pad muted">Loading…</p>
        ) : list.length === 0 ? (
          <p className="pad muted">No secrets yet.</p>
        ) : (
          <table className="table" aria-label="Secrets">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Pull requests</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((s) => (
                <tr key={s.name} data-testid="secret-row">
                  <td className="first">
                    <code>{s.name}</code>
                    {editing === s.name && (
                      <SecretForm
                        existing={s}
                        onDone={() => {
                          setEditing(undefined);
                          void secrets.reload();
                        }}
                        onCancel={() => setEditing(undefined)}
                        submit={(input) => source.update(s.name, input)}
                      />
                    )}
                  </td>
                  <td data-label="Pull requests">{s.pull_request ? 'allowed' : 'no'}</td>
                  <td className="actions">
                    <button type="button" onClick={() => setEditing(editing === s.name ? undefined : s.name)}>
                      Update
                    </button>{' '}
                    <button type="button" className="danger" onClick={() => void remove(s)}>
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      <h2>Add a secret</h2>
      <div className="panel pad">
        <SecretForm
          onDone={() => void secrets.reload()}
          submit={(input) => {
            if (!input.name) throw new Error('Name the secret.');
            return source.create({
              name: input.name,
              data: input.data ?? '',
              pull_request: !!input.pull_request,
            });
          }}
        />
      </div>
    </>
  );
}

function SecretForm({
  existing,
  submit,
  onDone,
  onCancel,
}: {
  existing?: Secret;
  submit: (input: SecretInput & { name?: string }) => Promise<Secret>;
  onDone: () => void;
  onCancel?: () => void;
}) {
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const [pr, setPr] = useState(existing?.pull_request ?? false);
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<string>();
  const id = existing ? `edit-${existing.name}` : 'new';

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    setDone(undefined);
    if (!existing && !NAME.test(name)) {
      setError(new Error('A name may hold letters, digits, `_`, `-` and `.` only.'));
      return;
    }
    if (!existing && value === '') {
      setError(new Error('Give the secret a value.'));
      return;
    }
    try {
      const saved = await submit({
        ...(existing ? {} : { name }),
        ...(value !== '' ? { data: value } : {}),
        pull_request: pr,
      });
      setValue('');
      if (!existing) {
        setName('');
        setPr(false);
      }
      setDone(existing ? `Saved ${saved.name}.` : `Created ${saved.name}.`);
      onDone();
    } catch (err) {
      setError(err);
    }
  };

  return (
    <form
      onSubmit={onSubmit}
      aria-label={existing ? `Update ${existing.name}` : 'Add a secret'}
      style={{ marginTop: existing ? '0.75rem' : 0 }}
    >
      {!existing && (
        <div className="field">
          <label htmlFor={`${id}-name`}>Name</label>
          <input
            id={`${id}-name`}
            value={name}
            onChange={(e) => setName(e.target.value)}
            autoComplete="off"
            spellCheck={false}
          />
        </div>
      )}
      <div className="field">
        <label htmlFor={`${id}-value`}>{existing ? 'New value' : 'Value'}</label>
        <textarea
          id={`${id}-value`}
          rows={3}
          value={value}
          onChange={(e) => setValue(e.target.value)}
          autoComplete="off"
          spellCheck={false}
          data-secret-input=""
        />
        <span className="hint">
          {existing ? 'Leave empty to keep the current value. ' : ''}The value is never shown again, to
          anyone.
        </span>
      </div>
      <label className="check">
        <input type="checkbox" checked={pr} onChange={(e) => setPr(e.target.checked)} />
        <span>
          <b>Allow pull requests</b>
          <span className="small muted">Give this secret to pull request builds (forks included).</span>
        </span>
      </label>
      <ActionError error={error} />
      {done && (
        <p className="notice" role="status">
          {done}
        </p>
      )}
      <div className="row">
        <button className="primary" type="submit">
          {existing ? 'Save' : 'Add secret'}
        </button>
        {onCancel && (
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
