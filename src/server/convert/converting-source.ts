// The configuration as the trigger and the runners need it: YAML. Wraps the server's ConfigSource
// so both readers of a configuration — the trigger and a stage's details — get it converted, as
// Drone converts after every ConfigService.Find: a `.jsonnet` path is evaluated when Jsonnet is
// enabled (imports read from the same source, at the same commit), otherwise the convert
// extension, when one is configured for this path, may answer another text. A conversion that
// fails is a ConfigFetchError: the trigger makes an error build with its message.
import { evaluateJsonnet, JsonnetError } from '../../convert/jsonnet.js';
import { jsonnetExtVars } from '../../convert/jsonnet-vars.js';
import { buildJson, repoJson } from '../http/api/present.js';
import { type BuildRef, ConfigFetchError, type ConfigSource } from '../scm/content.js';
import type { Build, Repo } from '../store/models.js';
import { blankBuild } from '../store/queries/builds.js';
import { findUser } from '../store/queries/users.js';
import type { Db } from '../store/schema.js';
import { callConvertExtension, ConvertExtensionError } from './extension.js';
import type { ConvertSettings } from './settings.js';

/** What the converters need besides their settings. */
export interface ConvertingDeps {
  /** Where the repo owner's SCM token comes from (sent to the extension, as Drone does). */
  db?: Db;
  /** Opens a token sealed at rest. */
  openToken?: (stored: string) => string;
  log?: { warn(obj: object, msg: string): void };
}

/** Answers kept per configuration: a build's stages each ask for it again (Drone's cache of 10). */
const CACHE_SIZE = 10;

/** The build a lookup is for, with Drone's zero values where the caller gave no field. */
function fullBuild(repo: Repo, ref: BuildRef): Build {
  return {
    // The trigger passes the whole build (a BuildRef is the least it must have).
    ...blankBuild({ repo_id: repo.id, ...(ref as Partial<Build>) }),
    before: ref.before,
    after: ref.after,
    ref: ref.ref,
  };
}

/** `inner` with Jsonnet and the convert extension applied to what it finds. */
export function convertingConfigSource(
  inner: ConfigSource,
  settings: ConvertSettings | undefined,
  deps: ConvertingDeps = {},
): ConfigSource {
  if (!settings || (!settings.jsonnet.enabled && !settings.extension)) {
    return {
      async find(repo, build) {
        const text = await inner.find(repo, build);
        if (repo.config_path.endsWith('.jsonnet')) throw jsonnetDisabled(repo.config_path);
        return text;
      },
    };
  }
  const cache = new Map<string, string | undefined>();

  async function viaExtension(repo: Repo, build: Build, text: string): Promise<string | undefined> {
    const ext = settings?.extension;
    if (!ext || !repo.config_path.endsWith(ext.extension)) return undefined;
    // What an extension may base its answer on (pathschanged reads before..after, others the event);
    // the build number is not in it, so the trigger's answer serves the stages' details.
    const key = JSON.stringify([
      repo.id,
      repo.config_path,
      build.event,
      build.action,
      build.ref,
      build.before,
      build.after,
      build.deploy_to,
      build.params,
      text,
    ]);
    if (cache.has(key)) return cache.get(key);
    const owner = deps.db && repo.user_id ? await findUser(deps.db, repo.user_id) : undefined;
    const open = deps.openToken ?? ((t: string) => t);
    let answer: string | undefined;
    try {
      answer = await callConvertExtension(ext, {
        build: buildJson(build),
        config: { data: text, kind: '' },
        repo: repoJson(repo),
        token: {
          access: owner ? open(owner.oauth_token) : '',
          refresh: owner ? open(owner.oauth_refresh) : '',
        },
      });
    } catch (err) {
      if (!(err instanceof ConvertExtensionError)) throw err;
      deps.log?.warn({ repo: repo.slug, commit: build.after, err: err.message }, 'convert: extension failed');
      throw new ConfigFetchError(`cannot convert ${repo.config_path}: ${err.message}`);
    }
    cache.set(key, answer);
    while (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value as string);
    return answer;
  }

  return {
    async find(repo, ref) {
      const text = await inner.find(repo, ref);
      const build = fullBuild(repo, ref);
      if (repo.config_path.endsWith('.jsonnet') && settings.jsonnet.enabled) {
        try {
          return await evaluateJsonnet({
            file: repo.config_path,
            source: text,
            extVars: jsonnetExtVars(build, repo),
            read: (path) => inner.find({ ...repo, config_path: path }, ref),
            importLimit: settings.jsonnet.importLimit,
          });
        } catch (err) {
          if (!(err instanceof JsonnetError)) throw err;
          throw new ConfigFetchError(err.message);
        }
      }
      const converted = await viaExtension(repo, build, text);
      if (converted !== undefined) return converted;
      if (repo.config_path.endsWith('.jsonnet')) throw jsonnetDisabled(repo.config_path);
      return text;
    },
  };
}

function jsonnetDisabled(path: string): ConfigFetchError {
  return new ConfigFetchError(
    `${path} is a Jsonnet file, but Jsonnet is not enabled on this server (set HANGAR_JSONNET_ENABLED=true)`,
  );
}
