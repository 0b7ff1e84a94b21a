/**
 * The two live regions every form and card ends with: a polite status for what went right and an
 * assertive alert for what went wrong. Both are always in the page, empty when there is nothing to
 * say, because screen readers announce changes only in a region that existed before the change.
 */
export function FormStatus({ status, error, errorId }: { status?: string | null; error: string | null; errorId?: string }) {
  return (
    <>
      {status === undefined ? null : (
        <div role="status" className="ok">
          {status}
        </div>
      )}
      <FormError id={errorId} message={error} />
    </>
  );
}

/** The alert alone, where a form says only what went wrong (or says it apart from its status). */
export function FormError({ id, message }: { id?: string; message: string | null }) {
  return (
    <div id={id} role="alert" className="form-error">
      {message}
    </div>
  );
}
