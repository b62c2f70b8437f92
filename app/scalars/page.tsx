import { ScalarsDashboard } from '../ui/scalars/scalars-dashboard.tsx';

export const metadata = { title: 'Scalars · Board' };

export default function ScalarsPage() {
  return <ScalarsDashboard />;
}
