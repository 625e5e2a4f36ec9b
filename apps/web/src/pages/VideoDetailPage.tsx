import { Link, useParams } from 'react-router-dom';
import { VideoStatusCard } from '../components/VideoStatusCard';
import styles from './VideoDetailPage.module.css';

export function VideoDetailPage() {
  const { id = '' } = useParams();
  return (
    <div className="page page-narrow">
      <p className={styles.breadcrumb}>
        <Link to="/videos">← My videos</Link>
      </p>
      <h1 className="visually-hidden">Video</h1>
      <VideoStatusCard key={id} videoId={id} />
    </div>
  );
}
