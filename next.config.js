/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native and Node-only packages stay outside the webpack bundle and are loaded with require().
  serverExternalPackages: ['better-sqlite3', 'chokidar'],
  poweredByHeader: false,
  reactStrictMode: true,
  // The production build type-checks the whole project (tsconfig.json), so a type error fails CI.
  typescript: { ignoreBuildErrors: false },
  webpack: (config) => {
    // Our sources import siblings as `./x.ts`; let webpack resolve the `board-source` condition too.
    config.resolve.conditionNames = ['board-source', ...(config.resolve.conditionNames ?? ['import', 'require', 'node', 'default'])];
    return config;
  },
};
export default nextConfig;
