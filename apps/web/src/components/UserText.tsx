import { stripBidiControls } from '../lib/bidi';

/**
 * Text someone typed (a name, a prompt), shown safely: bidi controls removed, and isolated with
 * <bdi> so a right-to-left name cannot reorder the words next to it ("evil" shown as "live").
 */
export function UserText({ children }: { children: string }) {
  return <bdi>{stripBidiControls(children)}</bdi>;
}
