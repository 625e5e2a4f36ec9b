import { useConfirmEmailChange } from '../../api/accountMutations';
import { LinkPage } from './LinkPage';

export function ConfirmEmailChangePage() {
  return (
    <LinkPage
      title="Confirm your new email"
      working="Confirming…"
      mutation={useConfirmEmailChange()}
      success={(r) => `Done: you now sign in with ${r.email}.`}
    />
  );
}
