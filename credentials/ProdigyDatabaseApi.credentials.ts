import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

// Mirrors prodigy.json's "db" / "db_settings": the same database Prodigy itself reads and writes.
// A database connection cannot be tested with an HTTP request, so the nodes that use this credential test it
// themselves (testedBy: prodigyDatabaseConnectionTest in nodes/shared/credentialTest.ts).
export class ProdigyDatabaseApi implements ICredentialType {
	name = 'prodigyDatabaseApi';

	displayName = 'Prodigy Database';

	icon: Icon = { light: 'file:../icons/prodigy.svg', dark: 'file:../icons/prodigy.dark.svg' };

	documentationUrl = 'https://prodi.gy/docs/api-database';

	properties: INodeProperties[] = [
		{
			displayName: 'Database Type',
			name: 'type',
			type: 'options',
			options: [
				{ name: 'SQLite File', value: 'sqlite', description: "Prodigy's default: prodigy.db in the Prodigy home" },
				{ name: 'PostgreSQL', value: 'postgres' },
				{ name: 'MySQL / MariaDB', value: 'mysql' },
			],
			default: 'sqlite',
			description: 'The "db" setting in prodigy.json',
		},
		{
			displayName: 'SQLite File Path',
			name: 'path',
			type: 'string',
			default: '',
			placeholder: '/home/me/.prodigy/prodigy.db',
			description:
				'Absolute path of the prodigy.db file, as seen by the n8n server (Prodigy\'s default is ~/.prodigy/prodigy.db; a leading ~/ means the home folder of the user n8n runs as)',
			displayOptions: { show: { type: ['sqlite'] } },
			required: true,
		},
		{
			displayName: 'Host',
			name: 'host',
			type: 'string',
			default: 'localhost',
			displayOptions: { show: { type: ['postgres', 'mysql'] } },
		},
		{
			displayName: 'Port',
			name: 'port',
			type: 'number',
			default: 0,
			description: 'Leave 0 for the default port (PostgreSQL 5432, MySQL 3306)',
			displayOptions: { show: { type: ['postgres', 'mysql'] } },
		},
		{
			displayName: 'Database',
			name: 'database',
			type: 'string',
			default: 'prodigy',
			description: 'Database name ("dbname" / "database" in prodigy.json; Prodigy\'s default is prodigy)',
			displayOptions: { show: { type: ['postgres', 'mysql'] } },
		},
		{
			displayName: 'User',
			name: 'user',
			type: 'string',
			default: '',
			displayOptions: { show: { type: ['postgres', 'mysql'] } },
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			displayOptions: { show: { type: ['postgres', 'mysql'] } },
		},
		{
			displayName: 'SSL',
			name: 'ssl',
			type: 'options',
			options: [
				{ name: 'Disable', value: 'disable' },
				{ name: 'Require (Verify Certificate)', value: 'verify' },
				{ name: 'Require (Do Not Verify Certificate)', value: 'noVerify' },
			],
			default: 'disable',
			displayOptions: { show: { type: ['postgres', 'mysql'] } },
		},
		{
			displayName: 'CA Certificate',
			name: 'ca',
			type: 'string',
			typeOptions: { rows: 4 },
			default: '',
			description: 'PEM certificate of a private certificate authority, when the server uses one',
			displayOptions: { show: { type: ['postgres', 'mysql'], ssl: ['verify'] } },
		},
	];
}
