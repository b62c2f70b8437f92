import { TimeSeriesDashboard } from '../ui/time-series/time-series-dashboard.tsx';

export const metadata = { title: 'Time series · Board' };

export default function TimeSeriesPage() {
  return <TimeSeriesDashboard />;
}
