import type { ICredentialDataDecryptedObject, IExecuteFunctions, IHttpRequestMethods, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import type { ServerHttp } from '../../../../lib/server';
import { errorMessage } from '../../../shared/errors';
import { runKit, type RunKit } from '../../../shared/items';

export const SERVER_CREDENTIAL = 'prodigyServerApi';

/** Why a request failed, in words a user can act on, with the credential's secrets blanked out. */
function failureReason(error: unknown, credentials: ICredentialDataDecryptedObject, baseUrl: string): string {
	let reason = errorMessage(error);
	// n8n's error carries a numeric status for HTTP errors and a socket code (ECONNREFUSED...) otherwise; its
	// message already says what the code means, and a bare code would make n8n replace our whole message.
	if (error instanceof NodeApiError && /^\d{3}$/.test(String(error.httpCode ?? ''))) {
		reason = `HTTP ${error.httpCode}: ${reason}`;
	}

	return errorMessage(new Error(`${reason} (${baseUrl})`), credentials);
}

/** The base URL without any user:password@ part, for messages. */
function displayUrl(url: string): string {
	try {
		const parsed = new URL(url);
		parsed.username = '';
		parsed.password = '';
		return parsed.toString().replace(/\/+$/, '');
	} catch {
		return 'the configured Base URL';
	}
}

/** Basic auth from the credential; with both fields empty an empty header, which a server without auth ignores. */
export function basicAuth(credentials: ICredentialDataDecryptedObject): { username: string; password: string } {
	return { username: String(credentials.user ?? ''), password: String(credentials.password ?? '') };
}

/**
 * The lib's HTTP function over n8n's request helper, with basic auth from the Prodigy Server credential (set here
 * rather than by the credential's `authenticate`, which would make n8n add a "Custom API Call" operation to the
 * mostly-database Prodigy Dataset node). Failures are rethrown as plain errors carrying only a status and reason:
 * n8n's own error objects keep the request options, which include the auth header.
 */
export function serverHttp(ctx: IExecuteFunctions, credentials: ICredentialDataDecryptedObject): ServerHttp {
	const baseUrl = String(credentials.url ?? '').trim().replace(/\/+$/, '');
	return async ({ method, path, body }) => {
		let failure: unknown;
		try {
			return (await ctx.helpers.httpRequest({
				method: method as IHttpRequestMethods,
				url: `${baseUrl}${path}`,
				body,
				json: true,
				auth: basicAuth(credentials),
			})) as unknown;
		} catch (error) {
			// The plain request helper throws the HTTP client's own error; n8n's NodeApiError turns it into the same
			// readable status / socket message the authenticated helper gives ("Authorization failed - ...").
			failure = error instanceof NodeApiError ? error : new NodeApiError(ctx.getNode(), error as JsonObject);
		}
		throw new Error(failureReason(failure, credentials, displayUrl(baseUrl)));
	};
}

/** What a server operation works with: the authenticated transport and the item loop bound to its credential. */
export interface ServerRun extends RunKit {
	http: ServerHttp;
}

/** The server operations' execution kit: the Prodigy Server credential read once, its secrets scrubbed from errors. */
export async function withServer<T>(ctx: IExecuteFunctions, fn: (run: ServerRun) => Promise<T>): Promise<T> {
	const credentials = await ctx.getCredentials<ICredentialDataDecryptedObject>(SERVER_CREDENTIAL);
	return await fn({ ...runKit(ctx, credentials), http: serverHttp(ctx, credentials) });
}
