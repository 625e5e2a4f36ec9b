import { useVerifyEmail } from '../../api/accountMutations';
import { LinkPage } from './LinkPage';

export function VerifyEmailPage() {
  return (
    <LinkPage
      title="Verify your email"
      working="Verifying…"
      mutation={useVerifyEmail()}
      success={() => 'Your email address is verified. Thank you!'}
    />
  );
}
