import { ProjectorDashboard } from '../ui/projector/projector.tsx';

export const metadata = { title: 'Projector · Board' };

export default function Page() {
  return <ProjectorDashboard />;
}
