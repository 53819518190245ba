#!/usr/bin/env node
// Runs `npm run <task>:run` under Node 24. n8n >= 2.36, node:sqlite and n8n-workflow 2.x (isolated-vm prebuilds)
// all need Node 24; on an older system Node the same command is re-run through the registry's `node@24` package so
// that README's plain `npm test` / `npm start` work on either.
//
// The trap this file exists to avoid (docs/development.md): the registry's `node` package puts its binary in place
// in a *preinstall* script, and npx obeys this project's `.npmrc` (`ignore-scripts=true`). From an empty npm cache,
// `npx -p node@24` would then cache node@24 without a binary and silently run the command on the system Node.
// So npx gets install scripts switched on for its own install of node@24 only, and the command npx runs is this
// file again in `--child` mode: it checks that it really is Node >= 24, switches install scripts off again for the
// project's own npm, and only then runs the task.
'use strict';
const { spawnSync } = require('node:child_process');

const REQUIRED_MAJOR = 24;
const TAG = '[n8n-nodes-prodigy]';

/**
 * Why `version` cannot run the project, or undefined when it can. Pure, so a test can show it refuses.
 * @param {string} version e.g. `process.versions.node`
 * @returns {string | undefined}
 */
function wrongNode(version, required = REQUIRED_MAJOR) {
	const major = Number(String(version).split('.')[0]);
	if (Number.isInteger(major) && major >= required) return undefined;
	return (
		`${TAG} Node ${version} is running where Node ${required} was expected.\n` +
		`${TAG} npx did not put node@${required} first on PATH (an npm cache holding node@${required} without its ` +
		'binary, or a registry that cannot be reached).\n' +
		`${TAG} Fix: install Node ${required} (npm then uses it directly), or clear npx's cache with ` +
		'`rm -rf "$(npm config get cache)/_npx"` and run the command again.'
	);
}

/**
 * @param {string} cmd
 * @param {string[]} args
 * @param {NodeJS.ProcessEnv} env
 * @returns {number} the exit code
 */
function run(cmd, args, env) {
	// npm runs scripts from the package root; INIT_CWD keeps where the user typed the command, so relative file
	// arguments (npm run n8n:run -- ./my-workflow.json) still resolve from there.
	const result = spawnSync(cmd, args, { stdio: 'inherit', env, cwd: process.env.INIT_CWD || process.cwd() });
	if (result.error) {
		console.error(`${TAG} could not start ${cmd}: ${result.error.message}`);
		return 1;
	}
	return result.status ?? 1;
}

/**
 * @param {string[]} argv the arguments after the script name
 * @returns {number} the exit code
 */
function main(argv) {
	const child = argv[0] === '--child';
	const [task, ...args] = child ? argv.slice(1) : argv;
	if (!task) {
		console.error('usage: node scripts/node24.js <task> [args...]');
		return 2;
	}
	const npmArgs = ['run', '--silent', `${task}:run`, ...(args.length ? ['--', ...args] : [])];
	const problem = wrongNode(process.versions.node);

	if (!problem) {
		// Under Node 24 (directly, or as npx's child): the project's own npm keeps install scripts off, as .npmrc says.
		const env = { ...process.env, npm_config_ignore_scripts: 'true' };
		return run('npm', npmArgs, env);
	}
	if (child) {
		console.error(problem);
		return 1;
	}
	console.error(`${TAG} Node ${process.versions.node} found; running under Node ${REQUIRED_MAJOR} via npx node@${REQUIRED_MAJOR}`);
	const env = { ...process.env, npm_config_ignore_scripts: 'false', npm_config_yes: 'true' };
	return run('npx', ['-y', '-p', `node@${REQUIRED_MAJOR}`, '--', 'node', __filename, '--child', task, ...args], env);
}

if (require.main === module) process.exit(main(process.argv.slice(2)));

module.exports = { wrongNode, REQUIRED_MAJOR };
