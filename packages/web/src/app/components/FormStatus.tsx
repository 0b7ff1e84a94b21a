/**
 * The live regions a form or card ends with: a polite status for what went right and an assertive
 * alert for what went wrong. Each is always in the page, empty when there is nothing to say, because
 * screen readers announce a change only in a region that existed before it. Pass the ones the form
 * has (`status`, `error`, or both); the ids let an input's aria-describedby point at them.
 */
export function FormStatus({
  status,
  error,
  statusId,
  errorId,
}: {
  status?: string | null;
  error?: string | null;
  statusId?: string;
  errorId?: string;
}) {
  return (
    <>
      {status === undefined ? null : (
        <div id={statusId} role="status" className="ok">
          {status}
        </div>
      )}
      {error === undefined ? null : <FormError id={errorId} message={error} />}
    </>
  );
}

/** The alert alone, where a form says what went wrong apart from its status (e.g. above its fields). */
export function FormError({ id, message }: { id?: string; message: string | null }) {
  return (
    <div id={id} role="alert" className="form-error">
      {message}
    </div>
  );
}
