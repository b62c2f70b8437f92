import { PrCurvesDashboard } from '../ui/pr-curves.tsx';

export const metadata = { title: 'PR curves · Board' };

export default function Page() {
  return <PrCurvesDashboard />;
}
