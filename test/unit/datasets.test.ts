import { datasetNameProblem, sessionDatasetName, timestampSessionName, validateDatasetName } from '../../lib/datasets';
import { InvalidDatasetNameError } from '../../lib/errors';

describe('validateDatasetName', () => {
	it.each([
		['a plain name', 'ner_news'],
		['hyphens and digits', 'ner-news-2024'],
		['non-ASCII letters', 'Ünïcödé'],
		['one character', 'a'],
		['255 characters', 'x'.repeat(255)],
		['a db-in session name', '2024-01-31_09-05-07'],
		['255 astral characters (counted as characters, not UTF-16 units)', '😀'.repeat(255)],
	])('accepts %s', (_label, name) => {
		expect(() => validateDatasetName(name)).not.toThrow();
		expect(datasetNameProblem(name)).toBeNull();
	});

	it.each([
		['an empty name', '', 'must not be empty'],
		['a comma', 'a,b', 'comma'],
		['a space', 'my dataset', 'spaces'],
		['a tab', 'tab\there', 'whitespace'],
		['a line break', 'line\nbreak', 'whitespace'],
		['256 characters', 'x'.repeat(256), 'at most 255'],
		['256 astral characters', '😀'.repeat(256), 'at most 255'],
	])('rejects %s', (_label, name, reason) => {
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
