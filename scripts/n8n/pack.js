// Loads the pack into n8n the way users get it: `npm pack` of the built repo, then an npm install of that tarball
// inside `<N8N_USER_FOLDER>/.n8n/nodes`, where n8n looks for community packages. Node types are then
// `n8n-nodes-prodigy.<name>`, exactly as after installing from the registry.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { log, run } = require('./install');

const REPO = path.resolve(__dirname, '..', '..');
const PACKAGE = require(path.join(REPO, 'package.json'));

/** `npm run build:run` (clean + tsc + gulp) in the repo; we are already on Node 24, so no re-exec. */
async function buildPack() {
	await run('npm', ['run', '--silent', 'build:run'], { cwd: REPO, label: 'npm run build' });
}

/** Packs the repo into a fresh temporary folder and returns the tarball's path. */
async function packTarball({ build = false } = {}) {
	if (build) await buildPack();
	if (!fs.existsSync(path.join(REPO, 'dist'))) throw new Error('dist/ is missing: run `npm run build` first');
	const dest = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-prodigy-pack-'));
	await run('npm', ['pack', '--silent', '--pack-destination', dest], { cwd: REPO, label: 'npm pack' });
	const tarball = fs.readdirSync(dest).find((f) => f.endsWith('.tgz'));
	if (!tarball) throw new Error(`npm pack wrote no tarball into ${dest}`);
	return path.join(dest, tarball);
}

/**
 * Installs the packed tarball into `<userFolder>/.n8n/nodes`. Packs first when no tarball is given.
 * Returns the installed package folder.
 * @param {string} userFolder
 * @param {{ tarball?: string }} [options]
 * @returns {Promise<string>}
 */
async function installPack(userFolder, { tarball } = {}) {
	const tgz = tarball ?? (await packTarball());
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	fs.mkdirSync(nodesDir, { recursive: true });
	const manifest = path.join(nodesDir, 'package.json');
	if (!fs.existsSync(manifest)) {
		fs.writeFileSync(manifest, `${JSON.stringify({ name: 'installed-nodes', private: true, dependencies: {} }, null, 2)}\n`);
	}
	// Peer dependencies (n8n-workflow) come from the n8n process itself, so they are not installed here; scripts are
	// ignored as the repo's .npmrc does for every install.
	await run(
		'npm',
		['install', '--ignore-scripts', '--omit=peer', '--no-audit', '--no-fund', '--loglevel=error', tgz],
		{ cwd: nodesDir, label: `install ${path.basename(tgz)} into ${nodesDir}` },
	);
	const installed = path.join(nodesDir, 'node_modules', PACKAGE.name);
	if (!fs.existsSync(path.join(installed, 'package.json'))) throw new Error(`${installed} is missing after install`);
	return installed;
}

module.exports = { REPO, PACKAGE, buildPack, packTarball, installPack, log };
