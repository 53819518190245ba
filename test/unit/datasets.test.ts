import { datasetNameProblem, sessionDatasetName, timestampSessionName, validateDatasetName } from '../../lib/datasets';
import { InvalidDatasetNameError } from '../../lib/errors';

describe('validateDatasetName', () => {
	it.each(['ner_news', 'ner-news-2024', 'Ünïcödé', 'a', 'x'.repeat(255), '2024-01-31_09-05-07', '😀'.repeat(255)])(
		'accepts %s',
		(name) => {
			expect(() => validateDatasetName(name)).not.toThrow();
			expect(datasetNameProblem(name)).toBeNull();
		},
	);

	it.each([
		['', 'must not be empty'],
		['a,b', 'comma'],
		['my dataset', 'spaces'],
		['tab\there', 'whitespace'],
		['line\nbreak', 'whitespace'],
		['x'.repeat(256), 'at most 255'],
		['😀'.repeat(256), 'at most 255'],
	])('rejects %j (%s)', (name, reason) => {
		expect(() => validateDatasetName(name)).toThrow(InvalidDatasetNameError);
		expect(() => validateDatasetName(name)).toThrow(reason);
	});

	it('rejects a non-string with a clear reason', () => {
		expect(datasetNameProblem(42)).toBe('must be a string');
		expect(() => validateDatasetName(undefined as unknown as string)).toThrow(InvalidDatasetNameError);
	});

	it('tells how to fix the name', () => {
		try {
			validateDatasetName('a b');
			throw new Error('expected a throw');
		} catch (error) {
			expect(error).toBeInstanceOf(InvalidDatasetNameError);
			expect((error as InvalidDatasetNameError).hint).toMatch(/without commas or spaces/);
		}
	});
});

describe('sessionDatasetName', () => {
	it('joins dataset and session with a hyphen, like Prodigy\'s server', () => {
		expect(sessionDatasetName('ner_news', 'alex')).toBe('ner_news-alex');
	});
	it('refuses an empty session name', () => {
		expect(() => sessionDatasetName('ner_news', '')).toThrow(InvalidDatasetNameError);
	});
});

describe('timestampSessionName', () => {
	it('formats local time as YYYY-MM-DD_HH-MM-SS, zero-padded', () => {
		expect(timestampSessionName(new Date(2024, 0, 5, 7, 8, 9))).toBe('2024-01-05_07-08-09');
		expect(timestampSessionName(new Date(1999, 11, 31, 23, 59, 58))).toBe('1999-12-31_23-59-58');
	});
	it('uses the current time by default', () => {
		expect(timestampSessionName()).toMatch(/^\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2}$/);
	});
});
