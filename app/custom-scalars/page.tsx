import { CustomScalarsDashboard } from '../ui/custom-scalars.tsx';

export const metadata = { title: 'Custom scalars · Board' };

export default function Page() {
  return <CustomScalarsDashboard />;
}
