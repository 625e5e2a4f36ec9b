import { Link, useParams } from 'react-router-dom';
import { VideoStatusCard } from '../components/VideoStatusCard';

export function VideoDetailPage() {
  const { id = '' } = useParams();
  return (
    <div className="page page-narrow">
      <p className="breadcrumb">
        <Link to="/videos">← My videos</Link>
      </p>
      <h1 className="visually-hidden">Video</h1>
      <VideoStatusCard key={id} videoId={id} />
    </div>
  );
}
