/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native and Node-only packages stay outside the webpack bundle and are loaded with require().
  serverExternalPackages: ['better-sqlite3', 'chokidar'],
  poweredByHeader: false,
  reactStrictMode: true,
  // Type errors are caught by `npm run typecheck` (tsc over the whole repo); the web build must not
  // fail because some unrelated in-progress module elsewhere in lib/ does not typecheck yet.
  typescript: { ignoreBuildErrors: true },
  webpack: (config) => {
    // Our sources import siblings as `./x.ts`; let webpack resolve the `board-source` condition too.
    config.resolve.conditionNames = ['board-source', ...(config.resolve.conditionNames ?? ['import', 'require', 'node', 'default'])];
    return config;
  },
};
export default nextConfig;
