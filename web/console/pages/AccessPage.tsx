/** Access (admins only; PRODUCT.md §2): API tokens and console sessions. */
import type { ConsoleClient, Role } from '../../shared/api.js';
import { Alert } from '../../shared/components.js';
import { SessionsSection } from './access/SessionsSection.js';
import { TokensSection } from './access/TokensSection.js';
import './access/access.css';

export function AccessPage(props: { api: ConsoleClient; role: Role; onOwnSessionEnded: () => void }) {
  if (props.role !== 'admin') return <Alert kind="info">Only admins manage tokens and sessions.</Alert>;
  return (
    <>
      <TokensSection api={props.api} />
      <SessionsSection api={props.api} onOwnSessionEnded={props.onOwnSessionEnded} />
    </>
  );
}
