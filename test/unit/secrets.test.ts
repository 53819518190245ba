// The scrubber and the checks that keep credential values that could hold a secret out of every message: a
// connection URL or libpq string pasted into Host, Database or User is refused without being repeated, and a value
// that is not a plain name is blanked wherever a driver repeats it.
import { NodeApiError, NodeOperationError, type INode } from 'n8n-workflow';

import { ProdigyConnectionError, ProdigyInputError } from '../../lib/errors';
import { checkConnectionSettings, checkHost, isPlainSetting, scrubSecrets, shownSetting } from '../../lib/store/dialect';
import { errorMessage, scrubCredentialSecrets, toNodeError } from '../../nodes/shared/errors';

const SECRET = 'Url-Pa55word';
const node = { name: 'Prodigy', type: 'n8n-nodes-prodigy.prodigyDataset', typeVersion: 1, position: [0, 0], parameters: {} } as unknown as INode;

function refusal(work: () => void): ProdigyInputError {
	try {
		work();
	} catch (error) {
		expect(error).toBeInstanceOf(ProdigyInputError);
		return error as ProdigyInputError;
	}
	throw new Error('expected a refusal');
}

describe('isPlainSetting / shownSetting', () => {
	it.each(['prodigy', 'ner_news-2', 'admin@myserver', 'Ünïcode', 'a.b$c+d', ''])('shows %p', (value) => {
		expect(isPlainSetting(value)).toBe(true);
		expect(shownSetting(value)).toBe(`"${value}"`);
	});

	it.each([
		`postgres://prodigy:${SECRET}@db/prodigy`,
		`prodigy:${SECRET}@db`,
		`host=db password=${SECRET}`,
		`db?password=${SECRET}`,
		'my db',
		`it's`,
		'x'.repeat(129),
	])('does not show %p', (value) => {
		expect(isPlainSetting(value)).toBe(false);
		expect(shownSetting(value)).not.toContain(value);
	});
});

describe('checkHost / checkConnectionSettings', () => {
	it.each(['localhost', 'db.example.com', '127.0.0.1', '::1', '[fe80::1%eth0]', '/var/run/postgresql', 'münchen.example'])('accepts the host %p', (host) => {
		expect(() => checkHost(host)).not.toThrow();
	});

	it.each([
		[`postgres://prodigy:${SECRET}@db/prodigy`, /connection URL/],
		[`prodigy:${SECRET}@db`, /connection URL/],
		[`host=db password=${SECRET}`, /only a host name or IP address; it holds more/],
		[`db?password=${SECRET}`, /only a host name or IP address; it holds more/],
		[`db password=${SECRET}`, /only a host name or IP address; it holds more/],
	])('refuses the host %p without repeating it', (host, expected) => {
		const error = refusal(() => checkHost(host));
		expect(error.message).toMatch(expected);
		expect(`${error.message} ${error.hint}`).not.toContain(SECRET);
	});

	it.each([
		['database', `postgres://prodigy:${SECRET}@db/prodigy`, /^Database looks like a connection string/],
		['database', `dbname=prodigy password=${SECRET}`, /^Database looks like a connection string/],
		['database', `prodigy?password=${SECRET}`, /^Database looks like a connection string/],
		['user', `mysql://prodigy:${SECRET}@db/prodigy`, /^User looks like a connection string/],
		['user', `prodigy:${SECRET}@db`, /^User looks like a connection string/],
		['user', `user=prodigy pwd=${SECRET}`, /^User looks like a connection string/],
	])('refuses a %s of %p without repeating it', (field, value, expected) => {
		const settings = { host: 'db', user: 'prodigy', database: 'prodigy', [field]: value };
		const error = refusal(() => checkConnectionSettings(settings));
		expect(error.message).toMatch(expected);
		expect(`${error.message} ${error.hint}`).not.toContain(SECRET);
	});

	it('accepts plain names and cloud user names', () => {
		expect(() => checkConnectionSettings({ host: 'db', user: 'admin@myserver', database: 'prodigy' })).not.toThrow();
	});
});

describe('scrubSecrets', () => {
	it('blanks the password, settings that are not plain names, URL user info and password pairs', () => {
		const message =
			`password ${SECRET}; database "prod ${SECRET}" does not exist; role "bob" ok; ` +
			`see https://alice:${SECRET}@prodigy.example.com/project and host=db password='${SECRET} x' sslmode=require, token=${SECRET}&a=1`;
		const scrubbed = scrubSecrets(message, { password: SECRET, database: `prod ${SECRET}`, user: 'bob' });
		expect(scrubbed).not.toContain(SECRET);
		// Plain names stay readable.
		expect(scrubbed).toContain('role "bob" ok');
		expect(scrubbed).toContain('https://***@prodigy.example.com/project');
		expect(scrubbed).toContain("password=*** sslmode=require");
		expect(scrubbed).toContain('token=***&a=1');
	});

	it('leaves a message without secrets as it is', () => {
		const message = "Access denied for user 'root'@'localhost' (using password: YES)";
		expect(scrubSecrets(message, { password: '', user: 'root', database: 'prodigy', host: 'localhost' })).toBe(message);
	});
});

describe('the node error mapper', () => {
	const credentials = {
		type: 'postgres',
		host: 'db',
		user: `u sslkey=${SECRET}`,
		database: `prodigy sslpassword=${SECRET}`,
		password: 'other-secret',
		ca: '-----BEGIN CERTIFICATE-----',
	};

	it('blanks every credential value that could hold a secret, in the message and in the description', () => {
		const error = new ProdigyConnectionError(
			`role "u sslkey=${SECRET}" and database "prodigy sslpassword=${SECRET}" with other-secret`,
			`Create the database "prodigy sslpassword=${SECRET}" first`,
		);
		const mapped = toNodeError(node, error, 3, credentials);
		expect(mapped).toBeInstanceOf(NodeApiError);
		expect(mapped.message).not.toContain(SECRET);
		expect(mapped.message).not.toContain('other-secret');
		expect(mapped.description).not.toContain(SECRET);
		expect(mapped.context.itemIndex).toBe(3);
	});

	it('keeps input errors item-indexed operation errors', () => {
		const mapped = toNodeError(node, new ProdigyInputError(`bad https://a:${SECRET}@x`), 1, credentials);
		expect(mapped).toBeInstanceOf(NodeOperationError);
		expect(mapped.message).toBe('bad https://***@x');
	});

	it('scrubs plain errors and leaves plain names readable', () => {
		expect(errorMessage(new Error(`database "prodigy" of user "${credentials.user}"`), credentials)).toBe('database "prodigy" of user "***"');
		expect(scrubCredentialSecrets('no secrets here', credentials)).toBe('no secrets here');
	});
});
