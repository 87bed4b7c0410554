// The external variables a `.drone.jsonnet` reads with std.extVar, named and filled as Drone's
// jsonnet converter does (drone-reference.md §5.9): `build.*` and `repo.*` strings, booleans as
// "true"/"false", and each build parameter as `build.param.NAME`.

/** The build fields Drone hands to Jsonnet (Drone's JSON names). */
export interface JsonnetBuild {
  event: string;
  action: string;
  deploy_to: string;
  link: string;
  target: string;
  source: string;
  before: string;
  after: string;
  ref: string;
  title: string;
  message: string;
  source_repo: string;
  author_login: string;
  author_name: string;
  author_email: string;
  author_avatar: string;
  sender: string;
  params: Record<string, string>;
}

/** The repository fields Drone hands to Jsonnet (Drone's JSON names). */
export interface JsonnetRepo {
  uid: string;
  name: string;
  namespace: string;
  slug: string;
  git_http_url: string;
  git_ssh_url: string;
  link: string;
  default_branch: string;
  config_path: string;
  private: boolean;
  visibility: string;
  active: boolean;
  trusted: boolean;
  protected: boolean;
  ignore_forks: boolean;
  ignore_pull_requests: boolean;
}

/** The ext vars of a build: `build.event`, `repo.slug`, `build.param.K`, … */
export function jsonnetExtVars(build: JsonnetBuild, repo: JsonnetRepo): Record<string, string> {
  const vars: Record<string, string> = {
    'build.event': build.event,
    'build.action': build.action,
    'build.environment': build.deploy_to,
    'build.link': build.link,
    // Drone fills build.branch with the target branch too.
    'build.branch': build.target,
    'build.source': build.source,
    'build.before': build.before,
    'build.after': build.after,
    'build.target': build.target,
    'build.ref': build.ref,
    'build.commit': build.after,
    'build.title': build.title,
    'build.message': build.message,
    'build.source_repo': build.source_repo,
    'build.author_login': build.author_login,
    'build.author_name': build.author_name,
    'build.author_email': build.author_email,
    'build.author_avatar': build.author_avatar,
    'build.sender': build.sender,
    'repo.uid': repo.uid,
    'repo.name': repo.name,
    'repo.namespace': repo.namespace,
    'repo.slug': repo.slug,
    'repo.git_http_url': repo.git_http_url,
    'repo.git_ssh_url': repo.git_ssh_url,
    'repo.link': repo.link,
    'repo.branch': repo.default_branch,
    'repo.config': repo.config_path,
    'repo.private': String(repo.private),
    'repo.visibility': repo.visibility,
    'repo.active': String(repo.active),
    'repo.trusted': String(repo.trusted),
    'repo.protected': String(repo.protected),
    'repo.ignore_forks': String(repo.ignore_forks),
    'repo.ignore_pull_requests': String(repo.ignore_pull_requests),
  };
  for (const [k, v] of Object.entries(build.params)) vars[`build.param.${k}`] = v;
  return vars;
}
