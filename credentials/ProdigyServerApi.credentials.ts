import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

// A running `prodigy <recipe>` web app. Basic auth matches PRODIGY_BASIC_AUTH_USER / PRODIGY_BASIC_AUTH_PASS;
// with both empty, an empty Basic header is sent, which a Prodigy server without basic auth does not check.
// The node sets the header itself and tests the credential with prodigyServerConnectionTest (nodes/shared): a
// credential with `authenticate` would make n8n offer "Custom API Call" on the Prodigy Dataset node.
export class ProdigyServerApi implements ICredentialType {
	name = 'prodigyServerApi';

	displayName = 'Prodigy Server';

	icon: Icon = { light: 'file:../icons/prodigy.svg', dark: 'file:../icons/prodigy.dark.svg' };

	documentationUrl = 'https://prodi.gy/docs/install#config';

	properties: INodeProperties[] = [
		{
			displayName: 'Base URL',
			name: 'url',
			type: 'string',
			default: 'http://localhost:8080',
			placeholder: 'http://localhost:8080',
			description: 'Where the Prodigy web app is served (PRODIGY_HOST / PRODIGY_PORT)',
			required: true,
		},
		{
			displayName: 'User',
			name: 'user',
			type: 'string',
			default: '',
			description: 'PRODIGY_BASIC_AUTH_USER, when the server uses basic auth',
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'PRODIGY_BASIC_AUTH_PASS, when the server uses basic auth',
		},
	];
}
