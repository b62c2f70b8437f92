import { ImagesDashboard } from '../ui/images.tsx';

export const metadata = { title: 'Images · Board' };

export default function Page() {
  return <ImagesDashboard />;
}
