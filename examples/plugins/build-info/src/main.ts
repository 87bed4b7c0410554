// Entry point of the image (ENTRYPOINT ["node", "/opt/plugin/dist/main.js"]): the step's settings and
// build variables come from the environment, the workspace is the working directory.
import { buildInfo } from './build-info.js';
import { run } from './plugin.js';

await run(async () => {
  await buildInfo({ env: process.env, cwd: process.cwd(), now: new Date(), log: (l) => console.log(l) });
});
