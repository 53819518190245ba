import type { ICredentialDataDecryptedObject, IExecuteFunctions, IWebhookFunctions } from 'n8n-workflow';

import { openStore } from '../../lib/store';
import { sqliteFilePath } from '../../lib/store/sqlite';
import type { ProdigyStore, StoreConfig } from '../../lib/store/types';
import { errorKit, runKit, type ErrorKit, type RunKit } from './items';

export const DATABASE_CREDENTIAL = 'prodigyDatabaseApi';

const DEFAULT_PORTS = { postgres: 5432, mysql: 3306 } as const;

/** Credential fields → the store's config. Throws a plain Error naming the missing field (never its value). */
export function credentialsToConfig(credentials: ICredentialDataDecryptedObject): StoreConfig {
	const type = String(credentials.type ?? 'sqlite');
	if (type === 'sqlite') {
		const path = String(credentials.path ?? '').trim();
		if (!path) throw new Error('The Prodigy Database credential has no SQLite file path');
		return { type: 'sqlite', path: sqliteFilePath(path) };
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
		// A pasted host often carries a space at either end; inside, checkHost refuses anything but a host name.
		host: String(credentials.host ?? '').trim() || 'localhost',
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

/** What a node run on Prodigy's database works with: the open store and the item loop bound to its credential. */
export interface StoreRun extends RunKit {
	store: ProdigyStore;
}

/** The same for a request outside an execution's item loop (the Approval Gate's webhook). */
export interface StoreScope extends ErrorKit {
	store: ProdigyStore;
}

/**
 * The execution kit of every database node: gets the Prodigy Database credential once, opens one store for the run
 * (closed whatever happens) and hands over the item loop and error mapping bound to that credential, so no error
 * can show its secrets. A failure outside one item's handling (connecting, settings, closing) concerns the whole
 * run and is reported on item 0.
 */
export async function withNodeStore<T>(ctx: IExecuteFunctions, fn: (run: StoreRun) => Promise<T>): Promise<T> {
	const credentials = await ctx.getCredentials<ICredentialDataDecryptedObject>(DATABASE_CREDENTIAL);
	return await runWithStore(credentials, runKit(ctx, credentials), fn);
}

/** withNodeStore for a webhook request: the same credential, store and error mapping, no item loop. */
export async function withWebhookStore<T>(ctx: IWebhookFunctions, fn: (scope: StoreScope) => Promise<T>): Promise<T> {
	const credentials = await ctx.getCredentials<ICredentialDataDecryptedObject>(DATABASE_CREDENTIAL);
	return await runWithStore(credentials, errorKit(ctx.getNode(), credentials), fn);
}

async function runWithStore<K extends ErrorKit, T>(
	credentials: ICredentialDataDecryptedObject,
	kit: K,
	fn: (run: K & { store: ProdigyStore }) => Promise<T>,
): Promise<T> {
	try {
		return await withStore(credentials, async (store) => await fn({ ...kit, store }));
	} catch (error) {
		throw kit.nodeError(error, 0);
	}
}
