// `npm start`: Radarm in a browser-based VS Code on this machine, no VS Code install needed.
// Builds nothing itself (the npm script builds first); fetches code-server into .vscode-test/ on first
// use; opens a copy of demo/ (or --folder PATH) with the extension loaded from this checkout; prints the
// address; runs until Ctrl-C. Settings, API keys and chat history persist in .vscode-test/start/; the
// demo copy lives outside any git repository (see demo-folder.mjs).
//
// usage: node scripts/start.mjs [--folder PATH] [--port N] [--host 127.0.0.1] [--locale zh-cn]
// env:   RADARM_PORT, RADARM_HOST (binding beyond 127.0.0.1 exposes an unauthenticated VS Code: avoid)
import { existsSync, mkdirSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { demoFolder } from './demo-folder.mjs';
import { cacheDir, ensureCodeServer, freePort, root, startCodeServer, workbenchUrl } from './code-server.mjs';

const arg = (name) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};

if (!existsSync(join(root, 'dist', 'extension.js'))) {
  console.error('dist/extension.js is missing: run `npm start` (it builds first) or `npm run build`.');
  process.exit(1);
}

const stateDir = join(cacheDir, 'start');
let folder = arg('folder');
if (folder) {
  folder = isAbsolute(folder) ? folder : resolve(process.cwd(), folder);
  if (!existsSync(folder)) {
    console.error(`--folder ${folder} does not exist.`);
    process.exit(1);
  }
} else {
  folder = demoFolder();
}
mkdirSync(stateDir, { recursive: true });

try {
  await ensureCodeServer();
} catch (err) {
  console.error(`\n${err.message}\n`);
  process.exit(1);
}
const wanted = Number(arg('port') || process.env.RADARM_PORT || 8080);
const port = (await isFree(wanted)) ? wanted : await freePort();
const host = arg('host') || process.env.RADARM_HOST || '127.0.0.1';
// The demo folder is ours: trusted. A folder of the user's gets VS Code's usual Workspace Trust prompt.
const server = await startCodeServer({ stateDir, port, host, disableWorkspaceTrust: !arg('folder'), locale: arg('locale') });
const url = workbenchUrl(server.url, { folder, extensionDevelopmentPath: root });

console.log(`
Radarm is running in VS Code (code-server) — open this address in a browser:

  ${url}

Folder: ${folder}
Then: click the Radarm icon in the activity bar, run "Radarm: Set API Key" (F1), and
"Radarm: Analyze Data". Python 3.8+ with pandas runs the generated code (setting radarm.pythonPath).
After rebuilding (npm run build / npm run watch), reload the browser tab.
Ctrl-C stops the server.
`);

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  server.stop();
  setTimeout(() => process.exit(0), 300);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
server.child.on('exit', (code) => {
  if (stopping) return;
  console.error(`code-server exited (${code}):\n${server.output().slice(-2000)}`);
  process.exit(1);
});

async function isFree(p) {
  const { createServer } = await import('node:net');
  return new Promise((res) => {
    const s = createServer();
    s.once('error', () => res(false));
    s.listen(p, '127.0.0.1', () => s.close(() => res(true)));
  });
}
