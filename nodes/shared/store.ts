import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { openStore } from '../../lib/store';
import type { ProdigyStore, StoreConfig } from '../../lib/store/types';

export const DATABASE_CREDENTIAL = 'prodigyDatabaseApi';

const DEFAULT_PORTS = { postgres: 5432, mysql: 3306 } as const;

/** Credential fields → the store's config. Throws a plain Error naming the missing field (never its value). */
export function credentialsToConfig(credentials: ICredentialDataDecryptedObject): StoreConfig {
	const type = String(credentials.type ?? 'sqlite');
	if (type === 'sqlite') {
		const path = String(credentials.path ?? '').trim();
		if (!path) throw new Error('The Prodigy Database credential has no SQLite file path');
		return { type: 'sqlite', path };
	}
	if (type !== 'postgres' && type !== 'mysql') {
		throw new Error(`Unknown Prodigy database type "${type}" in the credential`);
	}
	const sslMode = String(credentials.ssl ?? 'disable');
	const ca = String(credentials.ca ?? '').trim();
	const ssl =
		sslMode === 'disable'
			? undefined
			: { rejectUnauthorized: sslMode === 'verify', ...(ca && sslMode === 'verify' ? { ca } : {}) };
	return {
		type,
		host: String(credentials.host || 'localhost'),
		port: Number(credentials.port) || DEFAULT_PORTS[type],
		user: String(credentials.user ?? ''),
		password: String(credentials.password ?? ''),
		database: String(credentials.database || 'prodigy'),
		...(ssl ? { ssl } : {}),
	};
}

/**
 * Opens one store for a node run and always closes it: connections are reused across the items of an execution,
 * and nothing outlives it (queue-mode workers must not keep module-level pools).
 */
export async function withStore<T>(
	credentials: ICredentialDataDecryptedObject,
	fn: (store: ProdigyStore) => Promise<T>,
): Promise<T> {
	const store = openStore(credentialsToConfig(credentials));
	try {
		return await fn(store);
	} finally {
		await store.close();
	}
}
