// The real-n8n harness in one import, for tests (test/e2e), `npm start` and `npm run n8n:run`.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const install = require('./install');
const pack = require('./pack');
const instance = require('./instance');
const api = require('./api');
const run = require('./run');

let tarballPromise;
/**
 * One tarball for a whole test run: N8N_PRODIGY_TARBALL (set by scripts/n8n/e2e.js after building once) or a
 * pack of the current dist/, made on first use.
 */
function sharedTarball() {
	if (process.env.N8N_PRODIGY_TARBALL) return Promise.resolve(process.env.N8N_PRODIGY_TARBALL);
	tarballPromise ??= pack.packTarball();
	return tarballPromise;
}

/** A fresh temporary n8n user folder (remove it with fs.rmSync when done). */
function tempUserFolder(prefix = 'n8n-prodigy-e2e-') {
	return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Whether tests should run n8n in queue mode (`npm run test:e2e -- --queue` sets N8N_E2E_QUEUE=1). */
function queueModeRequested() {
	return process.env.N8N_E2E_QUEUE === '1';
}

module.exports = {
	N8N_VERSION: install.N8N_VERSION,
	OLDEST_N8N_VERSION: install.OLDEST_N8N_VERSION,
	n8nVersion: install.n8nVersion,
	cacheDir: install.cacheDir,
	ensureN8n: install.ensureN8n,
	buildPack: pack.buildPack,
	packTarball: pack.packTarball,
	installPack: pack.installPack,
	sharedTarball,
	tempUserFolder,
	queueModeRequested,
	startN8n: instance.startN8n,
	freePort: instance.freePort,
	DEFAULT_OWNER: instance.DEFAULT_OWNER,
	loadAxios: api.loadAxios,
	importCredentials: api.importCredentials,
	listCredentials: api.listCredentials,
	importWorkflow: api.importWorkflow,
	listWorkflows: api.listWorkflows,
	getWorkflow: api.getWorkflow,
	publishWorkflow: api.publishWorkflow,
	publishAndWait: api.publishAndWait,
	unpublishWorkflow: api.unpublishWorkflow,
	getExecution: api.getExecution,
	listExecutions: api.listExecutions,
	waitForExecution: api.waitForExecution,
	runWorkflow: run.runWorkflow,
	runStoredWorkflow: run.runStoredWorkflow,
	startManualRun: run.startManualRun,
	nodeOutputs: run.nodeOutputs,
	outputOf: run.outputOf,
	summarise: run.summarise,
};
