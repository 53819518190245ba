import type {
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	INodeCredentialTestResult,
} from 'n8n-workflow';

import { withStore } from './store';
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
