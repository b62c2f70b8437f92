import { AudioDashboard } from '../ui/audio.tsx';

export const metadata = { title: 'Audio · Board' };

export default function Page() {
  return <AudioDashboard />;
}
