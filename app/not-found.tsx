import Link from 'next/link';

export default function NotFound() {
  return (
    <div className="panel pad">
      <h2>Not found</h2>
      <p>
        No such dashboard. <Link href="/scalars">Go to Scalars</Link>.
      </p>
    </div>
  );
}
