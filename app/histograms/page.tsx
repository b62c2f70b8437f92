import { HistogramsDashboard } from '../ui/histograms.tsx';

export const metadata = { title: 'Histograms · Board' };

export default function Page() {
  return <HistogramsDashboard />;
}
