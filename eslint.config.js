// ESLint (flat config): type-aware typescript-eslint over lib/, app/, test/, bench/, examples/, and
// React's hook rules over app/. `npm run lint` runs it together with the Prettier format check.
//
// Base: @eslint/js recommended + typescript-eslint recommendedTypeChecked (the rules that need type
// information: floating promises, misused promises, unsafe `any` flows, ...). Adjustments below
// are deliberate; each says why.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/', 'dist/', '.next/', 'test-results/', 'test/artifacts/', 'bench/out/', 'logs/', 'runs/',
      'next-env.d.ts',
      // Generated from proto/ by the schema script; regenerated, never edited by hand.
      'lib/tfevents/schema.generated.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // `_name` marks a parameter or binding kept on purpose (callbacks with a fixed signature,
      // destructuring that drops a field).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
    },
  },
  {
    files: ['app/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },
  {
    // Plain JavaScript entry points and configs are outside tsconfig's project: lint them without types.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', require: 'readonly', module: 'writable', __dirname: 'readonly' } },
  },
);
