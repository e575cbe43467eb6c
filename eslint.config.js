// Lint: the recommended rules of ESLint and typescript-eslint; formatting is left to the author.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'web/dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  // The browser app's build helper runs on Node as plain JavaScript.
  { files: ['web/*.mjs'], languageOptions: { globals: { URL: 'readonly', console: 'readonly' } } },
);
