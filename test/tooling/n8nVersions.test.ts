// The real-n8n harness runs on the pinned n8n or on another version beside it (`npm run test:e2e -- --n8n <version>`),
// and waits for a publication the way that version publishes: through the outbox (2.40: poll publication-status) or
// in the publish request itself (2.37-2.39: publication-status answers 404 "not available"); it updates a credential
// in place on each of them (2.39.0's public API refuses PATCH /credentials/:id with 405).
import { homedir } from 'node:os';
import { join } from 'node:path';

type Status = { status: string; liveVersionId?: string; triggers: { nodeId: string; status: string }[] };
type Answer = { data: unknown };
type FakeInstance = {
	api: { post: (url: string) => Promise<Answer> };
	rest: { get: (url: string) => Promise<Answer> };
};

/* eslint-disable @typescript-eslint/no-require-imports */
const install = require('../../scripts/n8n/install.js') as {
	PINNED_N8N_VERSION: string;
	OLDEST_N8N_VERSION: string;
	n8nVersion: () => string;
	cacheDir: (version?: string) => string;
};
type Credential = { name: string; type: string; data: Record<string, unknown> };
type CredentialInstance = {
	api: { patch: (url: string, body: Credential) => Promise<Answer> };
	rest: { patch: (url: string, body: Credential) => Promise<Answer> };
};
const { publishAndWait, updateCredential } = require('../../scripts/n8n/api.js') as {
	publishAndWait: (instance: FakeInstance, id: string, options?: { timeoutMs?: number }) => Promise<Status>;
	updateCredential: (instance: CredentialInstance, id: string, credential: Credential) => Promise<{ id: string; name: string }>;
};
/* eslint-enable @typescript-eslint/no-require-imports */

const ENV_KEYS = ['N8N_PRODIGY_N8N_VERSION', 'N8N_PRODIGY_CACHE', 'XDG_CACHE_HOME'] as const;
const saved = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));
afterEach(() => {
	for (const k of ENV_KEYS) {
		if (saved[k] === undefined) delete process.env[k];
		else process.env[k] = saved[k];
	}
});

describe('n8n version of the harness', () => {
	beforeEach(() => {
		for (const k of ENV_KEYS) delete process.env[k];
	});

	it('is the pinned one unless N8N_PRODIGY_N8N_VERSION names another, each in its own cache folder', () => {
		expect(install.n8nVersion()).toBe(install.PINNED_N8N_VERSION);
		expect(install.cacheDir()).toBe(join(homedir(), '.cache', 'n8n-nodes-prodigy', `n8n-${install.PINNED_N8N_VERSION}`));
		process.env.N8N_PRODIGY_N8N_VERSION = install.OLDEST_N8N_VERSION;
		expect(install.n8nVersion()).toBe(install.OLDEST_N8N_VERSION);
		expect(install.cacheDir()).toBe(join(homedir(), '.cache', 'n8n-nodes-prodigy', `n8n-${install.OLDEST_N8N_VERSION}`));
	});

	it('never lets another version use the folder N8N_PRODIGY_CACHE gives the pinned one', () => {
		process.env.N8N_PRODIGY_CACHE = '/tmp/pinned-n8n';
		process.env.XDG_CACHE_HOME = '/tmp/xdg';
		expect(install.cacheDir()).toBe('/tmp/pinned-n8n');
		process.env.N8N_PRODIGY_N8N_VERSION = '2.39.0';
		expect(install.cacheDir()).toBe('/tmp/xdg/n8n-nodes-prodigy/n8n-2.39.0');
	});

	it('refuses a version that is not exact (a range would install something else each time)', () => {
		for (const bad of ['^2.39.0', 'latest', '2.39', '2.39.0; rm -rf /']) {
			process.env.N8N_PRODIGY_N8N_VERSION = bad;
			expect(() => install.n8nVersion()).toThrow(/not an exact n8n version/);
		}
	});
});

/** An axios-like rejection carrying n8n's answer, as describeAxiosError reads it. */
function httpError(status: number, data: unknown): Error {
	return Object.assign(new Error(`HTTP ${status}`), { response: { status, data } });
}

function fakeInstance(published: unknown, statuses: (() => Promise<Answer>)[]): FakeInstance & { statusCalls: number } {
	const fake = {
		statusCalls: 0,
		api: { post: async () => ({ data: published }) },
		rest: {
			get: async () => {
				const next = statuses[Math.min(fake.statusCalls, statuses.length - 1)];
				fake.statusCalls++;
				return next();
			},
		},
	};
	return fake;
}

describe('publishAndWait', () => {
	const notAvailable = () => Promise.reject(httpError(404, { code: 404, message: 'Workflow publication status is not available' }));

	it('n8n without the publication service (2.37-2.39): the publish answer is the proof', async () => {
		const instance = fakeInstance({ id: 'w1', active: true, activeVersionId: 'v2' }, [notAvailable]);
		await expect(publishAndWait(instance, 'w1')).resolves.toEqual({ status: 'published', liveVersionId: 'v2', triggers: [] });
		expect(instance.statusCalls).toBe(1);
	});

	it('n8n without the publication service: a publish answer that is not active fails', async () => {
		const instance = fakeInstance({ id: 'w1', active: false, activeVersionId: null }, [notAvailable]);
		await expect(publishAndWait(instance, 'w1')).rejects.toThrow(/was not published: the publish call answered/);
	});

	it('any other 404 (a workflow that is gone) is an error, not a fallback', async () => {
		const gone = () => Promise.reject(httpError(404, { code: 404, message: 'Workflow with ID "w1" does not exist' }));
		const instance = fakeInstance({ id: 'w1', active: true, activeVersionId: 'v2' }, [gone]);
		await expect(publishAndWait(instance, 'w1')).rejects.toThrow(/publication status of workflow w1: HTTP 404/);
	});

	it('n8n with the outbox (2.40): waits until the published version\'s triggers are activated', async () => {
		const answer = (status: Status) => () => Promise.resolve({ data: { data: status } });
		const instance = fakeInstance({ id: 'w1', active: true, activeVersionId: 'v2' }, [
			answer({ status: 'in_progress', triggers: [] }),
			answer({ status: 'published', liveVersionId: 'v1', triggers: [{ nodeId: 'a', status: 'activated' }] }),
			answer({ status: 'published', liveVersionId: 'v2', triggers: [{ nodeId: 'a', status: 'activated' }] }),
		]);
		await expect(publishAndWait(instance, 'w1')).resolves.toMatchObject({ status: 'published', liveVersionId: 'v2' });
		expect(instance.statusCalls).toBe(3);
	});

	it('n8n with the outbox: a trigger that failed to activate fails at once', async () => {
		const failed = { status: 'failed', liveVersionId: undefined, triggers: [{ nodeId: 'a', status: 'failed' }] };
		const instance = fakeInstance({ id: 'w1', active: true, activeVersionId: 'v2' }, [() => Promise.resolve({ data: { data: failed } })]);
		await expect(publishAndWait(instance, 'w1', { timeoutMs: 30_000 })).rejects.toThrow(/was not published: .*"failed"/);
		expect(instance.statusCalls).toBe(1);
	});
});

describe('updateCredential', () => {
	const credential: Credential = { name: 'Prodigy Demo DB', type: 'prodigyDatabaseApi', data: { type: 'sqlite', path: '/x.db' } };

	it('uses the public API where it takes PATCH (2.37, 2.40)', async () => {
		const calls: string[] = [];
		const instance: CredentialInstance = {
			api: { patch: async (url) => (calls.push(`api ${url}`), { data: { id: '7', name: credential.name } }) },
			rest: { patch: async (url) => (calls.push(`rest ${url}`), { data: { data: { id: '7', name: credential.name } } }) },
		};
		await expect(updateCredential(instance, '7', credential)).resolves.toEqual({ id: '7', name: credential.name });
		expect(calls).toEqual(['api /credentials/7']);
	});

	it('n8n 2.39.0 (public PATCH answers 405): the same update through the internal REST API, same id', async () => {
		const calls: string[] = [];
		const instance: CredentialInstance = {
			api: {
				patch: async (url) => {
					calls.push(`api ${url}`);
					throw httpError(405, { message: 'PATCH method not allowed' });
				},
			},
			rest: {
				patch: async (url, body) => {
					calls.push(`rest ${url}`);
					expect(body).toEqual(credential);
					return { data: { data: { id: '7', name: credential.name } } };
				},
			},
		};
		await expect(updateCredential(instance, '7', credential)).resolves.toEqual({ id: '7', name: credential.name });
		expect(calls).toEqual(['api /credentials/7', 'rest /credentials/7']);
	});

	it('any other refusal is an error as n8n gave it', async () => {
		const instance: CredentialInstance = {
			api: {
				patch: async () => {
					throw httpError(400, { message: 'request/body/data must NOT have additional properties' });
				},
			},
			rest: { patch: async () => ({ data: { data: {} } }) },
		};
		await expect(updateCredential(instance, '7', credential)).rejects.toThrow(/PATCH credential "Prodigy Demo DB": HTTP 400/);
	});
});
