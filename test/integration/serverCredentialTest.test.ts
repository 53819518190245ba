// The Prodigy Server credential's Test button over real HTTP with n8n-core's own request helper (the one n8n hands
// to a node's credential test), against a Prodigy-shaped server with basic auth.
import type { ICredentialDataDecryptedObject, ICredentialTestFunctions } from 'n8n-workflow';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { proxyRequestToAxios } = require('n8n-core/dist/execution-engine/node-execution-context/utils/request-helpers/legacy-request-adapter') as {
	proxyRequestToAxios: (workflow: undefined, additionalData: undefined, node: undefined, options: object) => Promise<unknown>;
};

import { ProdigyServerApi } from '../../credentials/ProdigyServerApi.credentials';
import { prodigyServerConnectionTest } from '../../nodes/shared/credentialTest';
import { startProdigyServer, type FakeProdigyServer } from '../helpers/prodigyServer';

const PASSWORD = ['s3cret', 'pass'].join('-');

function credentialTest(data: ICredentialDataDecryptedObject) {
	const context = { helpers: { request: (options: object) => proxyRequestToAxios(undefined, undefined, undefined, options) } };
	return prodigyServerConnectionTest.call(context as unknown as ICredentialTestFunctions, { id: '1', name: 'Prodigy', type: 'prodigyServerApi', data });
}

describe('Prodigy Server credential test', () => {
	let server: FakeProdigyServer;
	beforeEach(async () => {
		server = await startProdigyServer({ project: { dataset: 'ner_news', recipe_name: 'ner.manual' }, basicAuth: { user: 'ann', password: PASSWORD } });
	});
	afterEach(async () => await server.close());

	it('says which dataset and recipe the server serves', async () => {
		const result = await credentialTest({ url: `${server.url}/`, user: 'ann', password: PASSWORD });
		expect(result).toEqual({ status: 'OK', message: 'Connected: Prodigy server for dataset "ner_news" (ner.manual)' });
		expect(server.requests.map((request) => [request.method, request.path])).toEqual([['GET', '/project']]);
	});

	it('fails on a wrong password without showing it', async () => {
		const wrong = ['wrong', 'pw'].join('-');
		const result = await credentialTest({ url: server.url, user: 'ann', password: wrong });
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/401/);
		expect(result.message).not.toContain(wrong);
	});

	it('has no `authenticate`, so n8n adds no "Custom API Call" to the Prodigy Dataset node', () => {
		// n8n 2.40 (load-nodes-and-credentials.ts, supportsProxyAuth) offers Custom API Call on every node with a
		// credential that defines `authenticate`; the node sets basic auth itself instead.
		expect('authenticate' in new ProdigyServerApi()).toBe(false);
	});
});
