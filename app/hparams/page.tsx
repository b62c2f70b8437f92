import { HparamsDashboard } from '../ui/hparams.tsx';

export const metadata = { title: 'Hparams · Board' };

export default function Page() {
  return <HparamsDashboard />;
}
