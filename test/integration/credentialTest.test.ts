// The Prodigy Database credential's Test button, against real databases: it says what it found, never writes, and
// never shows the password.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ICredentialDataDecryptedObject, ICredentialTestFunctions } from 'n8n-workflow';

import { openStore } from '../../lib/store';
import { prodigyDatabaseConnectionTest } from '../../nodes/shared/credentialTest';
import { createTestDatabase, MYSQL_HOST, MYSQL_PORT, type TestDatabase } from '../helpers/databases';

function credentialTest(data: ICredentialDataDecryptedObject) {
	return prodigyDatabaseConnectionTest.call({} as ICredentialTestFunctions, {
		id: '1',
		name: 'Prodigy',
		type: 'prodigyDatabaseApi',
		data,
	});
}

describe('Prodigy Database credential test', () => {
	it('refuses a missing SQLite file without creating it', async () => {
		const path = join(mkdtempSync(join(tmpdir(), 'prodigy-cred-')), 'missing', 'prodigy.db');
		const result = await credentialTest({ type: 'sqlite', path });
		expect(result.status).toBe('Error');
		expect(result.message).toContain(`No file at ${path}`);
		expect(existsSync(path)).toBe(false);
	});

	describe.each(['sqlite', 'postgres', 'mysql'] as const)('%s', (backend) => {
		let db: TestDatabase;
		beforeEach(async () => {
			db = await createTestDatabase(backend);
		});
		afterEach(async () => await db.cleanup());

		const asCredentials = (): ICredentialDataDecryptedObject => ({ ...db.config, ssl: 'disable' }) as ICredentialDataDecryptedObject;

		it('reports an empty database without creating tables', async () => {
			if (backend === 'sqlite') {
				// An empty file, as `touch prodigy.db` leaves it.
				writeFileSync((db.config as { path: string }).path, '');
			}
			const result = await credentialTest(asCredentials());
			expect(result).toEqual({
				status: 'OK',
				message: "Connected: empty database, Prodigy's tables will be created on first write",
			});
			const store = openStore(db.config);
			try {
				expect(await store.hasSchema()).toBe(false);
			} finally {
				await store.close();
			}
		});

		it('counts datasets and session datasets', async () => {
			const store = openStore(db.config);
			try {
				await store.addExamples('news', [{ text: 'a' }], { session: 'alice' });
				await store.createDataset('tickets');
			} finally {
				await store.close();
			}
			expect(await credentialTest(asCredentials())).toEqual({
				status: 'OK',
				message: 'Connected: Prodigy database with 2 datasets (1 session datasets)',
			});
		});
	});

	it('gives a clear reason for a wrong MySQL password and never shows it', async () => {
		const password = 'Sup3r-Secret-Pw';
		const result = await credentialTest({
			type: 'mysql',
			host: MYSQL_HOST,
			port: MYSQL_PORT,
			user: 'root',
			password,
			database: 'test',
			ssl: 'disable',
		});
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/denied|password|authentication/i);
		expect(result.message).not.toContain(password);
	});

	it.each([
		['postgres', 'postgres://prodigy:Url-Pa55word@127.0.0.1:5432/prodigy'],
		['mysql', 'mysql://prodigy:Url-Pa55word@127.0.0.1/prodigy'],
		['postgres', 'prodigy:Url-Pa55word@127.0.0.1'],
	] as const)('refuses a connection URL typed into Host on %s and never echoes its password (%s)', async (type, host) => {
		const result = await credentialTest({ type, host, port: 1, user: 'prodigy', password: '', database: 'prodigy', ssl: 'disable' });
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/Host looks like a connection URL/);
		expect(result.message).not.toContain('Url-Pa55word');
		const store = openStore({ type, host, port: 1, user: 'prodigy', password: '', database: 'prodigy' });
		try {
			const error = await store.listDatasets().then(
				() => new Error('expected a failure'),
				(failure: Error) => failure,
			);
			expect(`${error.message} ${(error as { hint?: string }).hint}`).not.toContain('Url-Pa55word');
			expect(error.message).toMatch(/Host looks like a connection URL/);
		} finally {
			await store.close();
		}
	});

	it('gives a clear reason when nothing listens on the port', async () => {
		const result = await credentialTest({
			type: 'postgres',
			host: '127.0.0.1',
			port: 1,
			user: 'postgres',
			password: 'secret-value',
			database: 'prodigy',
			ssl: 'disable',
		});
		expect(result.status).toBe('Error');
		expect(result.message).toContain('127.0.0.1:1');
		expect(result.message).not.toContain('secret-value');
	});
});
