import type {
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	INodeCredentialTestResult,
} from 'n8n-workflow';

import { existsSync } from 'node:fs';

import { credentialsToConfig, withStore } from './store';
import { errorMessage } from './errors';

/**
 * The Prodigy Database credential's "Test" button. Says what it found, and never creates tables: a test must not
 * change the user's database.
 */
export async function prodigyDatabaseConnectionTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const data = credential.data ?? {};
	try {
		// Opening a missing SQLite file would create it: a test must not leave an empty prodigy.db at a mistyped path.
		const config = credentialsToConfig(data);
		if (config.type === 'sqlite' && !existsSync(config.path)) {
			return {
				status: 'Error',
				message: `No file at ${config.path}. Check the path; to start a new Prodigy database there, create the folder and run any write (e.g. Create Dataset).`,
			};
		}
		const message = await withStore(data, async (store) => {
			if (!(await store.hasSchema())) {
				return "Connected: empty database, Prodigy's tables will be created on first write";
			}
			const all = await store.listDatasets({ includeSessions: true });
			const sessions = all.filter((dataset) => dataset.session).length;
			return `Connected: Prodigy database with ${all.length - sessions} datasets (${sessions} session datasets)`;
		});
		return { status: 'OK', message };
	} catch (error) {
		return { status: 'Error', message: errorMessage(error, data) };
	}
}
