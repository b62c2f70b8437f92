import { redirect } from 'next/navigation';

/** The board opens on Scalars, keeping any view state in the query string. */
export default async function Home({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(await searchParams))
    for (const x of Array.isArray(v) ? v : v === undefined ? [] : [v]) sp.append(k, x);
  const q = sp.toString();
  redirect(q ? `/scalars?${q}` : '/scalars');
}
