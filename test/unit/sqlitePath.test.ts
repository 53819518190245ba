import { homedir } from 'node:os';
import { join } from 'node:path';

import { ProdigyInputError } from '../../lib/errors';
import { sqliteFilePath } from '../../lib/store/sqlite';
import { credentialsToConfig } from '../../nodes/shared/store';

describe('the SQLite file a credential names', () => {
	it('expands ~ to the home of the n8n process, as Prodigy writes its default path', () => {
		expect(sqliteFilePath('~/.prodigy/prodigy.db', '/home/ann')).toBe('/home/ann/.prodigy/prodigy.db');
		expect(sqliteFilePath('  ~/prodigy.db ', '/home/ann')).toBe('/home/ann/prodigy.db');
		expect(sqliteFilePath('/data/prodigy.db', '/home/ann')).toBe('/data/prodigy.db');
		expect(sqliteFilePath(':memory:')).toBe(':memory:');
	});

	it.each(['prodigy.db', './data/prodigy.db', '~bob/prodigy.db'])('refuses %j, saying what to type instead', (path) => {
		const error = (() => {
			try {
				sqliteFilePath(path, '/home/ann');
			} catch (caught) {
				return caught as ProdigyInputError;
			}
			throw new Error('accepted');
		})();
		expect(error).toBeInstanceOf(ProdigyInputError);
		expect(error.message).toContain(path);
		expect(error.hint).toContain('/home/ann/.prodigy/prodigy.db');
	});

	it('the credential goes through it', () => {
		const config = credentialsToConfig({ type: 'sqlite', path: '~/.prodigy/prodigy.db' });
		expect(config).toEqual({ type: 'sqlite', path: join(homedir(), '.prodigy', 'prodigy.db') });
	});
});
