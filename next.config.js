/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native and Node-only packages stay outside the webpack bundle and are loaded with require().
  serverExternalPackages: ['better-sqlite3', 'chokidar', '@node-rs/crc32'],
  poweredByHeader: false,
  reactStrictMode: true,
  // The production build type-checks the whole project (tsconfig.json), so a type error fails CI.
  typescript: { ignoreBuildErrors: false },
  // The board opens on Scalars. An HTTP redirect, not redirect() in a page: under the root
  // loading.tsx a page's redirect streams as a 1-second <meta refresh>, which reloads the page a
  // second after a slow hydration (the XSS campaign lost its page context to it under CI load).
  // Next carries the query string over, so view state in the URL survives.
  async redirects() {
    return [{ source: '/', destination: '/scalars', permanent: false }];
  },
  webpack: (config) => {
    // Our sources import siblings as `./x.ts`; let webpack resolve the `board-source` condition too.
    config.resolve.conditionNames = ['board-source', ...(config.resolve.conditionNames ?? ['import', 'require', 'node', 'default'])];
    return config;
  },
};
export default nextConfig;
