import { useQueryClient } from '@tanstack/react-query';
import { verifyEmail } from '../../api/account';
import { queryKeys } from '../../api/queries';
import { LinkPage } from './LinkPage';

export function VerifyEmailPage() {
  const queryClient = useQueryClient();
  return (
    <LinkPage
      title="Verify your email"
      working="Verifying…"
      use={async (token) => {
        const result = await verifyEmail(token);
        // If the owner is signed in here, the banner goes away at once.
        await queryClient.invalidateQueries({ queryKey: queryKeys.me });
        return result;
      }}
      success={() => 'Your email address is verified. Thank you!'}
    />
  );
}
