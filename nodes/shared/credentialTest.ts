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

/**
 * The Prodigy Server credential's "Test" button: GET /project (Prodigy has no health endpoint; this is the cheapest
 * request that proves the URL and the basic auth) with the credential's basic auth.
 */
export async function prodigyServerConnectionTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const data = credential.data ?? {};
	const url = String(data.url ?? '').trim().replace(/\/+$/, '');
	try {
		// A credential test gets only `request` in n8n 2.40 (ICredentialTestFunctions has no httpRequest).
		// eslint-disable-next-line @n8n/community-nodes/no-deprecated-workflow-functions
		const project = (await this.helpers.request({
			method: 'GET',
			uri: `${url}/project`,
			auth: { user: String(data.user ?? ''), pass: String(data.password ?? '') },
			json: true,
		})) as { dataset?: unknown; recipe_name?: unknown } | undefined;
		const dataset = typeof project?.dataset === 'string' ? ` for dataset "${project.dataset}"` : '';
		const recipe = typeof project?.recipe_name === 'string' ? ` (${project.recipe_name})` : '';
		return { status: 'OK', message: `Connected: Prodigy server${dataset}${recipe}` };
	} catch (error) {
		return { status: 'Error', message: errorMessage(error, data) };
	}
}
