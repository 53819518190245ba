#!/usr/bin/env node
// Runs `npm run <task>:run` under Node 24. n8n >= 2.36, node:sqlite and n8n-workflow 2.x (isolated-vm prebuilds)
// all need Node 24; on an older system Node the same command is re-run through the registry's `node@24` package so
// that README's plain `npm test` / `npm start` work on either.
'use strict';
const { spawnSync } = require('node:child_process');

const [task, ...args] = process.argv.slice(2);
if (!task) {
	console.error('usage: node scripts/node24.js <task> [args...]');
	process.exit(2);
}
const major = Number(process.versions.node.split('.')[0]);
const npmArgs = ['run', '--silent', `${task}:run`, ...(args.length ? ['--', ...args] : [])];
const [cmd, cmdArgs] =
	major >= 24 ? ['npm', npmArgs] : ['npx', ['-y', '-p', 'node@24', '--', 'npm', ...npmArgs]];
if (major < 24) console.error(`[n8n-nodes-prodigy] Node ${process.versions.node} found; running under Node 24 via npx node@24`);
// npm runs scripts from the package root; INIT_CWD keeps where the user typed the command, so relative file
// arguments (npm run n8n:run -- ./my-workflow.json) still resolve from there.
const result = spawnSync(cmd, cmdArgs, { stdio: 'inherit', env: process.env, cwd: process.env.INIT_CWD || process.cwd() });
if (result.error) {
	console.error(`[n8n-nodes-prodigy] could not start ${cmd}: ${result.error.message}`);
	process.exit(1);
}
process.exit(result.status ?? 1);
