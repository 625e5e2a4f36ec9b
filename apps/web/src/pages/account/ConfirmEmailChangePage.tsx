import { useQueryClient } from '@tanstack/react-query';
import { confirmEmailChange } from '../../api/account';
import { queryKeys } from '../../api/queries';
import { LinkPage } from './LinkPage';

export function ConfirmEmailChangePage() {
  const queryClient = useQueryClient();
  return (
    <LinkPage
      title="Confirm your new email"
      working="Confirming…"
      use={async (token) => {
        const result = await confirmEmailChange(token);
        await queryClient.invalidateQueries({ queryKey: queryKeys.me });
        return result;
      }}
      success={(r) => `Done: you now sign in with ${r.email}.`}
    />
  );
}
