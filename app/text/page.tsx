import { TextDashboard } from '../ui/text.tsx';

export const metadata = { title: 'Text · Board' };

export default function Page() {
  return <TextDashboard />;
}
