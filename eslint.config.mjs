// @n8n/node-cli's config for self-hosted packages: cloud-only rules are off because the pack needs runtime
// dependencies (pg, mysql2) to talk to Prodigy's PostgreSQL / MySQL databases.
// @ts-expect-error -- @n8n/node-cli's exports map points its types at dist/configs/eslint.d.js, which it does not ship.
import { configWithoutCloudSupport } from '@n8n/node-cli/eslint';
import js from '@eslint/js';
import globals from 'globals';
import importBoundaries from './eslint-rules/import-boundaries.js';

export default [
	...configWithoutCloudSupport,
	{ ignores: ['dist/**', 'node_modules/**', 'coverage/**'] },
	{
		// The harness, benchmarks, e2e tests and build files stay JavaScript that `node` runs directly (no build
		// step before `npm start` or a benchmark); tsc checks their types (tsconfig.scripts.json, part of npm run lint).
		files: ['**/*.js'],
		...js.configs.recommended,
		languageOptions: { ecmaVersion: 2024, sourceType: 'commonjs', globals: globals.node },
		rules: {
			...js.configs.recommended.rules,
			// `const { dropped, ...kept } = value` is how these scripts leave fields out of a copy.
			'no-unused-vars': ['error', { ignoreRestSiblings: true }],
		},
	},
	{
		// The callbacks given to Playwright's page.evaluate / waitForFunction run in the browser.
		files: ['scripts/screenshots.js'],
		languageOptions: { globals: { ...globals.node, document: 'readonly', HTMLElement: 'readonly' } },
	},
	{
		files: ['**/*.mjs'],
		...js.configs.recommended,
		languageOptions: { ecmaVersion: 2024, sourceType: 'module', globals: globals.node },
	},
	{
		// design.md's layering: lib/ never imports n8n or nodes/, no node folder imports another (nodes/shared is for
		// all). Every file goes through it; it governs what lives under lib/, credentials/ and nodes/ (in either
		// language) and lets scripts, benchmarks and tests use any layer.
		files: ['**/*.ts', '**/*.js', '**/*.mjs'],
		plugins: { prodigy: importBoundaries.plugin },
		rules: { 'prodigy/import-boundaries': 'error' },
	},
	{
		files: ['credentials/**/*.ts'],
		rules: {
			// The issue and our users call them "Prodigy Database" / "Prodigy Server": one is a database, and
			// Prodigy's web server offers no public API.
			'n8n-nodes-base/cred-class-field-display-name-missing-api': 'off',
		},
	},
	{
		files: ['package.json'],
		rules: {
			// Prodigy's PostgreSQL / MySQL databases are reached through pg and mysql2: a self-hosted package needs them
			// at run time (n8n installs community packages with their dependencies).
			'@n8n/community-nodes/no-runtime-dependencies': 'off',
		},
	},
	{
		files: ['lib/**/*.ts'],
		rules: {
			// lib/ is the n8n-free Prodigy core (usable from scripts and Code nodes): it raises its own error types,
			// which nodes/shared/errors.ts maps to NodeOperationError / NodeApiError with the item index.
			'@n8n/community-nodes/require-node-api-error': 'off',
		},
	},
	{
		files: ['test/**/*.ts', 'bench/**/*.ts'],
		rules: {
			// Tests and benchmarks print progress and read fixtures from disk; they are never published.
			'no-console': 'off',
			'@n8n/community-nodes/no-restricted-imports': 'off',
			'@n8n/community-nodes/no-restricted-globals': 'off',
			// Tests start helper processes (a second writer on the same SQLite file, n8n itself).
			'@n8n/community-nodes/no-dangerous-functions': 'off',
			// Test-only node classes in test/helpers are never offered to users or agents.
			'@n8n/community-nodes/node-usable-as-tool': 'off',
		},
	},
];
