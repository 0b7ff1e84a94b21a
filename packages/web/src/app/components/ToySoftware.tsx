/**
 * A toy's software as it last checked in (docs/updates.md): the version it runs and whether it is up
 * to date, has an update waiting for its next start, or rolled one back. Read from
 * GET /v1/families/:familyId/toys/:toyId/update-status with the session cookie.
 */
import type { ToyUpdateStatusResponse } from '@burrow/api';
import { ApiClient } from '@burrow/client';
import { useEffect, useState } from 'react';
import { useGuardian } from '../context.js';
import { softwareText } from '../toy-software-text.js';

const api = new ApiClient({ baseUrl: window.location.origin });

type Status = ToyUpdateStatusResponse['status'];

export function ToySoftware({ toyId }: { toyId: string }) {
  const [state] = useGuardian();
  const familyId = state.familyId;
  const [status, setStatus] = useState<Status | undefined>(undefined);
  useEffect(() => {
    if (!familyId) return;
    let live = true;
    api
      .request<ToyUpdateStatusResponse>('GET', `/v1/families/${encodeURIComponent(familyId)}/toys/${encodeURIComponent(toyId)}/update-status`)
      .then((r) => live && setStatus(r.status))
      .catch(() => live && setStatus(undefined));
    return () => {
      live = false;
    };
  }, [familyId, toyId]);
  if (status === undefined) return null;
  return (
    <p className="hint toy-software" data-update-state={status?.state ?? 'unknown'}>
      {softwareText(status)}
    </p>
  );
}
