import { GraphsDashboard } from '../ui/graphs/graphs-dashboard.tsx';

export const metadata = { title: 'Graphs · Board' };

export default function Page() {
  return <GraphsDashboard />;
}
