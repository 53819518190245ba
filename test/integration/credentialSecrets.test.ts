// A secret typed into the wrong field of the Prodigy Database credential — a connection URL in Database or User, a
// libpq string or `host?password=…` in Host — never reaches the node error, the credential test or the store's own
// errors (which n8n logs); neither does a user or database that is not a plain name when the server repeats it.
// Against the real PostgreSQL and MariaDB.
import type { ICredentialDataDecryptedObject, ICredentialTestFunctions } from 'n8n-workflow';

import { openStore } from '../../lib/store';
import type { StoreConfig } from '../../lib/store/types';
import { prodigyDatabaseConnectionTest } from '../../nodes/shared/credentialTest';
import { MYSQL_HOST, MYSQL_PORT, PG_HOST, PG_PORT } from '../helpers/databases';
import { byName, runNode } from '../workflows/datasetNode.helpers';

const SECRET = 'Url-Pa55word';

function credentialTest(data: ICredentialDataDecryptedObject) {
	return prodigyDatabaseConnectionTest.call({} as ICredentialTestFunctions, { id: '1', name: 'Prodigy', type: 'prodigyDatabaseApi', data });
}

type ServerConfig = Extract<StoreConfig, { type: 'postgres' | 'mysql' }>;

const SERVERS = {
	postgres: { type: 'postgres', host: PG_HOST, port: PG_PORT, user: 'root', password: '', database: 'postgres' },
	mysql: { type: 'mysql', host: MYSQL_HOST, port: MYSQL_PORT, user: 'root', password: '', database: 'test' },
} as const satisfies Record<string, ServerConfig>;

/** Every place a failure with `config` is reported: credential test, node error (message, description), store error. */
async function reports(config: ServerConfig): Promise<{ test: string; node: string; store: string }> {
	const result = await credentialTest({ ...config, ssl: 'disable' });
	expect(result.status).toBe('Error');
	const run = await runNode(config, { resource: 'dataset', operation: 'get', dataset: byName('news') });
	expect(run.status).toBe('error');
	const store = openStore(config);
	let storeError: { message: string; hint?: string } | undefined;
	try {
		await store.listDatasets();
	} catch (error) {
		storeError = error as { message: string; hint?: string };
	} finally {
		await store.close();
	}
	expect(storeError).toBeDefined();
	return {
		test: result.message,
		node: `${run.error?.message} ${(run.error as { description?: string } | undefined)?.description ?? ''}`,
		store: `${storeError?.message} ${storeError?.hint ?? ''}`,
	};
}

describe('credential values that could hold a secret are never echoed', () => {
	it.each([
		['postgres', 'database', `postgres://prodigy:${SECRET}@127.0.0.1:5432/prodigy`, /Database looks like a connection string/],
		['mysql', 'database', `mysql://prodigy:${SECRET}@127.0.0.1/prodigy`, /Database looks like a connection string/],
		['postgres', 'user', `postgres://prodigy:${SECRET}@127.0.0.1/prodigy`, /User looks like a connection string/],
		['mysql', 'user', `prodigy:${SECRET}@127.0.0.1`, /User looks like a connection string/],
		['postgres', 'database', `dbname=prodigy password=${SECRET}`, /Database looks like a connection string/],
		['postgres', 'host', `host=127.0.0.1 password=${SECRET}`, /Host must be only a host name or IP address/],
		['mysql', 'host', `127.0.0.1?password=${SECRET}`, /Host must be only a host name or IP address/],
	] as const)('%s: a connection string in %s is refused without repeating it (%s)', async (type, field, value, expected) => {
		const found = await reports({ ...SERVERS[type], [field]: value });
		for (const text of Object.values(found)) {
			expect(text).toMatch(expected);
			expect(text).not.toContain(SECRET);
		}
	});

	it.each([
		// Not refused (no URL, no password=), but not a plain name either: the server repeats it, the pack blanks it.
		['postgres', 'database', `prodigy sslpassword=${SECRET}`, /does not exist/],
		['mysql', 'database', `prodigy sslpassword=${SECRET}`, /Unknown database/],
		['postgres', 'user', `nobody sslkey=${SECRET}`, /role .* does not exist|authentication failed/],
		['mysql', 'user', `nobody sslkey=${SECRET}`, /Access denied/],
	] as const)('%s: a %s that is not a plain name is blanked where the server repeats it (%s)', async (type, field, value, expected) => {
		const found = await reports({ ...SERVERS[type], [field]: value });
		for (const text of Object.values(found)) {
			expect(text).toMatch(expected);
			expect(text).not.toContain(SECRET);
		}
	});

	it.each(['postgres', 'mysql'] as const)('%s: a plain database name is still shown', async (type) => {
		const found = await reports({ ...SERVERS[type], database: 'no_such_prodigy_db' });
		for (const text of Object.values(found)) expect(text).toContain('"no_such_prodigy_db"');
	});
});
