// @n8n/node-cli's config for self-hosted packages: cloud-only rules are off because the pack needs runtime
// dependencies (pg, mysql2) to talk to Prodigy's PostgreSQL / MySQL databases.
import { configWithoutCloudSupport } from '@n8n/node-cli/eslint';

export default [
	...configWithoutCloudSupport,
	{ ignores: ['dist/**', 'node_modules/**', 'coverage/**', '**/*.js', '**/*.mjs'] },
	{
		files: ['test/**/*.ts', 'bench/**/*.ts'],
		rules: {
			// Tests and benchmarks print progress and read fixtures from disk; they are never published.
			'no-console': 'off',
			'@n8n/community-nodes/no-restricted-imports': 'off',
			'@n8n/community-nodes/no-restricted-globals': 'off',
		},
	},
];
