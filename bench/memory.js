'use strict';
// Runs bench/child.js in a fresh process per measurement and reads its one JSON line.
const { execFile } = require('node:child_process');
const { join } = require('node:path');

/**
 * @param {{ mode: string, timeoutMs?: number } & Record<string, unknown>} job what bench/child.js measures
 * @returns {Promise<Record<string, number>>} its result line
 */
function measure(job) {
	return new Promise((resolve, reject) => {
		execFile(
			process.execPath,
			['--expose-gc', join(__dirname, 'child.js'), JSON.stringify(job)],
			// A job may ask for more time (the 1M training export on a loaded machine takes longer than 10 min).
			{ maxBuffer: 16 * 1024 * 1024, timeout: job.timeoutMs ?? 10 * 60 * 1000 },
			(error, stdout, stderr) => {
				if (error) {
					reject(new Error(`${job.mode} child failed: ${stderr.trim() || error.message}`));
					return;
				}
				const lines = stdout.trim().split('\n');
				try {
					resolve(JSON.parse(lines[lines.length - 1]));
				} catch (parseError) {
					reject(new Error(`${job.mode} child printed no result: ${parseError instanceof Error ? parseError.message : parseError}: ${stdout}`));
				}
			},
		);
	});
}

module.exports = { measure };
