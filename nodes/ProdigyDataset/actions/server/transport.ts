import type { ICredentialDataDecryptedObject, IExecuteFunctions, IHttpRequestMethods } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import type { ServerHttp } from '../../../../lib/server';
import { errorMessage } from '../../../shared/errors';

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

/**
 * The lib's HTTP function over n8n's authenticated request helper (basic auth from the Prodigy Server credential).
 * Failures are rethrown as plain errors carrying only a status and reason: n8n's own error objects keep the
 * request options, which include the auth header.
 */
export function serverHttp(ctx: IExecuteFunctions, credentials: ICredentialDataDecryptedObject): ServerHttp {
	const baseUrl = String(credentials.url ?? '').trim().replace(/\/+$/, '');
	return async ({ method, path, body }) => {
		let failure: unknown;
		try {
			return (await ctx.helpers.httpRequestWithAuthentication.call(ctx, SERVER_CREDENTIAL, {
				method: method as IHttpRequestMethods,
				url: `${baseUrl}${path}`,
				body,
				json: true,
			})) as unknown;
		} catch (error) {
			failure = error;
		}
		throw new Error(failureReason(failure, credentials, displayUrl(baseUrl)));
	};
}
